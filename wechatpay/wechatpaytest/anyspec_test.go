package wechatpaytest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The generated widgets client's import path in testdata/widgetclient, which
// the test rewrites to the folder it generates into.
const widgetClientImport = "github.com/payforge/wechatpay/wechatpay/wechatpaytest/_generated/widgets"

// TestGeneratedClient is the offline test a merchant runs for an endpoint of
// their own: it generates a client for testdata/widgets.yaml, a made-up spec
// that no behaviour serves, and calls it through a sandbox serving that spec
// (testdata/widgetclient). The answer with an example in the spec is that
// example; the one without is built from its schema; a value breaking the
// spec is refused by the client before sending and by the sandbox after.
func TestGeneratedClient(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	specPath, err := filepath.Abs(filepath.Join("testdata", "widgets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Inside the module, so that the program builds against this checkout;
	// a leading "_" keeps the folder out of ./... should the test be killed.
	work, err := os.MkdirTemp(".", "_generated-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(work) })
	if work, err = filepath.Abs(work); err != nil {
		t.Fatal(err)
	}
	generateClient(t, goTool, specPath, filepath.Join(work, "widgets"))

	program, err := os.ReadFile(filepath.Join("testdata", "widgetclient", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(program, []byte(widgetClientImport)) {
		t.Fatalf("testdata/widgetclient/main.go does not import %s", widgetClientImport)
	}
	program = bytes.ReplaceAll(program, []byte("/_generated/"), []byte("/"+filepath.Base(work)+"/"))
	if err := os.MkdirAll(filepath.Join(work, "client"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "client", "main.go"), program, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goTool, "run", ".", specPath)
	cmd.Dir = filepath.Join(work, "client")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run the client: %v\n%s", err, stderr.Bytes())
	}

	type result struct {
		Call    string
		Answer  json.RawMessage
		Invalid string
		Refused string
		Failed  string
	}
	results := map[string]result{}
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		results[r.Call] = r
	}
	for _, call := range []string{"create", "get", "close"} {
		if r := results[call]; r.Call == "" || r.Invalid != "" || r.Refused != "" || r.Failed != "" {
			t.Errorf("%s: %+v, want success\n%s", call, r, stdout)
		}
	}

	// createWidget: the spec's own example, as the client decoded it.
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	example := doc.Paths.Value("/v3/sandbox-widgets/widgets").Post.Responses.Status(200).Value.Content["application/json"].Example
	if example == nil {
		t.Fatal("widgets.yaml lost the example of createWidget")
	}
	if got := decode(t, results["create"].Answer); !reflect.DeepEqual(got, example) {
		t.Errorf("createWidget answered %v, want the spec's example %v", got, example)
	}
	// getWidget: built from the schema, the same each run, with the
	// identifiers of the request echoed (the widget asked for, the
	// sandbox's merchant), which the generated client checks.
	want := `{"color":"red","created_time":"2020-09-10T13:29:35+08:00","mchid":"1900000109","name":"example",` +
		`"size":1,"tags":["example"],"widget_id":"W20200910"}`
	if got := decode(t, results["get"].Answer); !reflect.DeepEqual(got, decode(t, []byte(want))) {
		t.Errorf("getWidget answered %s, want %s", results["get"].Answer, want)
	}
	if r := results["create-invalid"]; r.Invalid != "name maxLength" {
		t.Errorf("a name of 17 characters through the client: %+v, want a ValidationError on name maxLength", r)
	}
	if r := results["create-invalid-sent"]; r.Refused != "PARAM_ERROR /name body" {
		t.Errorf("a name of 17 characters sent: %+v, want 400 PARAM_ERROR on /name in the body", r)
	}
}

// generateClient runs the generator on spec, writing the package into out:
// the one place that names the generator's command. It is cmd/wechatpay-gen
// once that exists, and the generator folder before.
func generateClient(t *testing.T, goTool, spec, out string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	command := "./generator"
	if _, err := os.Stat(filepath.Join(root, "cmd", "wechatpay-gen", "main.go")); err == nil {
		command = "./cmd/wechatpay-gen"
	}
	cmd := exec.CommandContext(context.Background(), goTool, "run", command, "-spec", spec, "-out", out)
	cmd.Dir = root
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generate %s: %v\n%s", spec, err, output)
	}
	if _, err := os.Stat(filepath.Join(out, "client.go")); err != nil {
		t.Fatalf("generate %s: %v", spec, err)
	}
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}
