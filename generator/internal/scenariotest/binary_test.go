package scenariotest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	binarybody "github.com/payforge/wechatpay/generator/testdata/scenarios/binary_body/golden"
	typesonly "github.com/payforge/wechatpay/generator/testdata/scenarios/types_only/golden"
	"github.com/payforge/wechatpay/wechatpay"
)

// TestScenarioBinaryBody: a body that is not JSON is sent as its bytes with
// its media type, signed over those bytes (the stand-in checks it); a
// parameter of format byte travels as Base64.
func TestScenarioBinaryBody(t *testing.T) {
	if got := violations(t, (&binarybody.PutFileRequest{Key: "k"}).Validate()); !slices.Equal(got, []string{"digest required", "body required"}) {
		t.Fatalf("violations %v", got)
	}
	s := newStandIn(t, func(received) answer { return answer{Status: 204} })
	client := binarybody.NewClient(s.client())
	file := []byte{0x00, 0xff, 0x10, '\n'}
	digest := []byte{0xfb, 0xff, 0x01}
	if err := client.PutFile(context.Background(), &binarybody.PutFileRequest{Key: "a b", Digest: digest, Body: file}); err != nil {
		t.Fatal(err)
	}
	last := s.last()
	if !bytes.Equal(last.Body, file) || last.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("sent %q as %q", last.Body, last.Header.Get("Content-Type"))
	}
	u, err := url.Parse(last.RequestURI)
	if err != nil || u.Path != "/v3/files/a b" || u.Query().Get("digest") != "+/8B" {
		t.Fatalf("target %s", last.RequestURI)
	}
	if err := client.HeadFile(context.Background(), &binarybody.HeadFileRequest{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	if s.last().Method != "HEAD" {
		t.Fatalf("method %s", s.last().Method)
	}
}

// TestScenarioTypesOnly: a spec without operations gives a package of its
// types.
func TestScenarioTypesOnly(t *testing.T) {
	var a typesonly.Amount
	if err := json.Unmarshal([]byte(`{"total":100,"currency":"CNY"}`), &a); err != nil {
		t.Fatal(err)
	}
	if a.Total != 100 || a.Currency != typesonly.CurrencyCny || len(typesonly.Operations) != 0 {
		t.Fatalf("%+v", a)
	}
}

// TestScenarioFormBody: an application/x-www-form-urlencoded body is
// encoded as a query string is, and signed as sent.
func TestScenarioFormBody(t *testing.T) {
	if got := violations(t, (&binarybody.PostFormRequest{}).Validate()); !slices.Equal(got, []string{"name required"}) {
		t.Fatalf("violations %v", got)
	}
	s := newStandIn(t, func(received) answer { return answer{Status: 204} })
	n := int64(3)
	err := binarybody.NewClient(s.client()).PostForm(context.Background(), &binarybody.PostFormRequest{Name: "a&b", Count: &n, Tags: []string{"x", "y"}})
	if err != nil {
		t.Fatal(err)
	}
	last := s.last()
	if string(last.Body) != "count=3&name=a%26b&tags=x&tags=y" || last.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("sent %q as %q", last.Body, last.Header.Get("Content-Type"))
	}
}

// TestScenarioFormBodyRules: a form's fields are held to the rules of an
// object's: its anyOf of required lists, and readOnly (Validate refuses a
// request that sets a read-only field, which the form then never sends).
func TestScenarioFormBodyRules(t *testing.T) {
	if got := violations(t, (&binarybody.PostChoiceRequest{}).Validate()); !slices.Equal(got, []string{"openid|phone anyOf"}) {
		t.Fatalf("no branch: violations %v", got)
	}
	if got := violations(t, (&binarybody.PostChoiceRequest{Phone: "1", State: "x"}).Validate()); !slices.Equal(got, []string{"state readOnly"}) {
		t.Fatalf("read-only field set: violations %v", got)
	}
	s := newStandIn(t, func(received) answer { return answer{Status: 204} })
	client := binarybody.NewClient(s.client())
	if err := client.PostChoice(context.Background(), &binarybody.PostChoiceRequest{State: "x"}); len(wechatpay.ValidationErrors(err)) != 2 {
		t.Fatalf("PostChoice sent a request Validate refuses: %v", err)
	}
	if err := client.PostChoice(context.Background(), &binarybody.PostChoiceRequest{Phone: "1"}); err != nil {
		t.Fatal(err)
	}
	if last := s.last(); string(last.Body) != "phone=1" {
		t.Fatalf("sent %q", last.Body)
	}
}
