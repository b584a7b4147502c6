package generator

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// journeySpecsDir is the repository's spec/, which gen/ is generated from.
// The journey's files are there and in realSpecsDir (see its README).
const journeySpecsDir = "../spec"

// testDataOnlyPaths are the paths realSpecsDir's copies add to spec/'s: the
// bill download without operationId, a shape the generator's tests need.
var testDataOnlyPaths = map[string][]string{
	"bills.yaml": {"/v3/billdownload/file"},
}

// TestJourneySpecsAgree checks that each file in both spec/ and realSpecsDir
// describes the same API in both: the same paths, operations, parameters,
// schemas, rules and extensions, once prose is left out (description and
// summary strings, info, the label of externalDocs). A fact corrected in one
// copy must be corrected in the other.
func TestJourneySpecsAgree(t *testing.T) {
	var names []string
	for _, f := range realSpecFiles(t) {
		if _, err := os.Stat(filepath.Join(journeySpecsDir, filepath.Base(f))); err == nil {
			names = append(names, filepath.Base(f))
		}
	}
	// common, notifications, payments, contract-payments, refunds, bills.
	if len(names) < 6 {
		t.Fatalf("only %v are in both %s and %s; want the journey's six files", names, journeySpecsDir, realSpecsDir)
	}
	for _, name := range names {
		spec := specFacts(t, loadRealSpec(t, filepath.Join(journeySpecsDir, name)))
		data := specFacts(t, loadRealSpec(t, filepath.Join(realSpecsDir, name)))
		paths, _ := data["paths"].(map[string]any)
		for _, p := range testDataOnlyPaths[name] {
			if _, ok := paths[p]; !ok {
				t.Errorf("%s: %s is no longer in %s: drop it from testDataOnlyPaths", name, p, realSpecsDir)
			}
			delete(paths, p)
		}
		var diffs []string
		diffFacts("#", spec, data, &diffs)
		for _, d := range diffs {
			t.Errorf("%s differs between %s and %s: %s", name, journeySpecsDir, realSpecsDir, d)
		}
	}
}

// specFacts is doc as JSON values without its prose.
func specFacts(t *testing.T, doc *openapi3.T) map[string]any {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	delete(v, "info")
	dropProse(v)
	return v
}

// dropProse removes description and summary strings at any depth, and the
// label of externalDocs. A property named description (an object) stays.
func dropProse(v any) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range []string{"description", "summary"} {
			if _, ok := v[k].(string); ok {
				delete(v, k)
			}
		}
		for _, x := range v {
			dropProse(x)
		}
	case []any:
		for _, x := range v {
			dropProse(x)
		}
	}
}

// diffFacts appends to diffs, in a stable order, each JSON pointer where a
// (spec/) and b (realSpecsDir) differ.
func diffFacts(at string, a, b any, diffs *[]string) {
	if reflect.DeepEqual(a, b) {
		return
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := make([]string, 0, len(am)+len(bm))
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range slices.Compact(keys) {
			x, inA := am[k]
			y, inB := bm[k]
			switch {
			case !inA:
				*diffs = append(*diffs, fmt.Sprintf("%s/%s only in %s", at, pointerToken.Replace(k), realSpecsDir))
			case !inB:
				*diffs = append(*diffs, fmt.Sprintf("%s/%s only in %s", at, pointerToken.Replace(k), journeySpecsDir))
			default:
				diffFacts(at+"/"+pointerToken.Replace(k), x, y, diffs)
			}
		}
		return
	}
	*diffs = append(*diffs, fmt.Sprintf("%s: %s has %s, %s has %s", at, journeySpecsDir, brief(a), realSpecsDir, brief(b)))
}

// pointerToken escapes a key as a JSON pointer token (RFC 6901).
var pointerToken = strings.NewReplacer("~", "~0", "/", "~1")

// brief is v as JSON, cut to a line.
func brief(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 120 {
		return string(b[:117]) + "..."
	}
	return string(b)
}
