package wechatpaytest

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestParseTemplate(t *testing.T) {
	for _, bad := range []string{"v3/x", "/v3/{a}{b}", "/v3/{}", "/v3/a}", "/v3/{a}x{b}"} {
		if _, err := parseTemplate(bad); err == nil {
			t.Errorf("parseTemplate(%q) succeeded", bad)
		}
	}
	segs, err := parseTemplate("/v3/files/{name}.json")
	if err != nil {
		t.Fatal(err)
	}
	want := []segment{{literal: "v3"}, {literal: "files"}, {param: "name", suffix: ".json"}}
	if len(segs) != len(want) || segs[0] != want[0] || segs[1] != want[1] || segs[2] != want[2] {
		t.Errorf("segments %+v, want %+v", segs, want)
	}
}

// TestRouter checks matching on the escaped path, the decoded values and
// the preference of literal segments.
func TestRouter(t *testing.T) {
	doc := &openapi3.T{OpenAPI: "3.0.3", Paths: openapi3.NewPaths()}
	for _, p := range []string{"/v3/a/{x}", "/v3/a/b", "/v3/a/{x}/c", "/v3/files/{name}.json"} {
		doc.Paths.Set(p, &openapi3.PathItem{Get: &openapi3.Operation{OperationID: p}})
	}
	var rt router
	if _, err := rt.add(doc, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		method, target string
		op             string // empty: 404
		params         map[string]string
	}{
		{"GET", "/v3/a/b", "/v3/a/b", nil},
		{"GET", "/v3/a/x1", "/v3/a/{x}", map[string]string{"x": "x1"}},
		{"GET", "/v3/a/%62", "/v3/a/b", nil},
		{"GET", "/v3/a/b%2Fc", "/v3/a/{x}", map[string]string{"x": "b/c"}},
		{"GET", "/v3/a/b/c", "/v3/a/{x}/c", map[string]string{"x": "b"}},
		{"GET", "/v3/a/%252F", "/v3/a/{x}", map[string]string{"x": "%2F"}},
		{"GET", "/v3/files/r%2F1.json", "/v3/files/{name}.json", map[string]string{"name": "r/1"}},
		{"GET", "/v3/files/.json", "/v3/files/{name}.json", map[string]string{"name": ""}},
		{"GET", "/v3/files/x.jso", "", nil},
		{"GET", "/v3/a/b/", "", nil},
		{"GET", "/v3/a", "", nil},
		{"POST", "/v3/a/b", "", nil},
	} {
		route, params, e := rt.find(httptest.NewRequest(tt.method, tt.target, nil))
		switch {
		case tt.op == "" && e == nil:
			t.Errorf("%s %s routed to %s", tt.method, tt.target, route.Operation.OperationID)
		case tt.op == "":
		case e != nil:
			t.Errorf("%s %s: %s", tt.method, tt.target, e.Message)
		case route.Operation.OperationID != tt.op || !maps.Equal(params, tt.params):
			t.Errorf("%s %s: %s %v, want %s %v", tt.method, tt.target, route.Operation.OperationID, params, tt.op, tt.params)
		}
	}
}

// TestRouterAcrossSpecs: a literal segment beats a parameter whichever spec
// each template comes from and in whatever order the specs are added.
func TestRouterAcrossSpecs(t *testing.T) {
	spec := func(paths ...string) *openapi3.T {
		doc := &openapi3.T{OpenAPI: "3.0.3", Paths: openapi3.NewPaths()}
		for _, p := range paths {
			doc.Paths.Set(p, &openapi3.PathItem{Get: &openapi3.Operation{OperationID: p}})
		}
		return doc
	}
	for _, order := range [][]*openapi3.T{
		{spec("/x/{id}", "/z"), spec("/x/lit")},
		{spec("/x/lit"), spec("/x/{id}", "/z")},
		{spec("/x/{id}", "/a/b/c", "/z"), spec("/q/{p}/r"), spec("/x/lit", "/a/{b}/c")},
	} {
		var rt router
		for _, doc := range order {
			if _, err := rt.add(doc, nil); err != nil {
				t.Fatal(err)
			}
		}
		for target, want := range map[string]string{"/x/lit": "/x/lit", "/x/other": "/x/{id}", "/z": "/z"} {
			route, _, e := rt.find(httptest.NewRequest("GET", target, nil))
			if e != nil || route.Operation.OperationID != want {
				t.Errorf("GET %s: %v %v, want %s", target, route, e, want)
			}
		}
	}
}

// FuzzRouteValue: any value, escaped into its segment as a client does,
// reaches the operation of its template and arrives whole, decoded.
func FuzzRouteValue(f *testing.F) {
	for _, seed := range []string{"", "wxwtdk20200910100000", "a/terminate", "../b", "%2F", "%252F", ".", "..", "a?b#c", "中文", "\xff", "a b"} {
		f.Add(seed)
	}
	doc := &openapi3.T{OpenAPI: "3.0.3", Paths: openapi3.NewPaths()}
	for _, p := range []string{"/v3/a/{x}", "/v3/a/{x}/c", "/v3/a/b/c"} {
		doc.Paths.Set(p, &openapi3.PathItem{Post: &openapi3.Operation{OperationID: p}})
	}
	var rt router
	if _, err := rt.add(doc, nil); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, v string) {
		u, err := url.Parse("/v3/a/" + url.PathEscape(v) + "/c")
		if err != nil {
			t.Fatalf("escaped %q does not parse: %v", v, err)
		}
		route, params, e := rt.find(&http.Request{Method: http.MethodPost, URL: u})
		want := "/v3/a/{x}/c"
		if v == "b" {
			want = "/v3/a/b/c" // the literal template wins
		}
		switch {
		case e != nil:
			t.Fatalf("%q: %s", v, e.Message)
		case route.Operation.OperationID != want:
			t.Fatalf("%q routed to %s, want %s", v, route.Operation.OperationID, want)
		case want != "/v3/a/b/c" && params["x"] != v:
			t.Fatalf("%q arrived as %q", v, params["x"])
		}
	})
}
