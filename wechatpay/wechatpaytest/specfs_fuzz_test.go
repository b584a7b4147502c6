package wechatpaytest

import (
	"encoding/json"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// watchedFS records every name opened in it.
type watchedFS struct {
	fs.FS
	mu     sync.Mutex
	opened []string
}

func (w *watchedFS) Open(name string) (fs.File, error) {
	w.mu.Lock()
	w.opened = append(w.opened, name)
	w.mu.Unlock()
	return w.FS.Open(name)
}

// FuzzSpecRef: whatever a spec's $ref says, loading it from an FS opens
// only valid paths of that FS (the loader reads nothing else: no absolute
// path, no "..", no URL), and never panics.
func FuzzSpecRef(f *testing.F) {
	for _, ref := range []string{
		"shared.yaml#/components/schemas/S", "../shared.yaml#/components/schemas/S", "../../etc/passwd#/x",
		"/etc/passwd#/x", "https://example.com/s.yaml#/x", "file:///etc/passwd#/x", "dir/../shared.yaml#/components/schemas/S",
		"./shared.yaml#/components/schemas/S", "shared.yaml?x=1#/components/schemas/S", "%2e%2e/shared.yaml#/x", "#/components/schemas/S",
		"//host/share.yaml#/x", `C:\x.yaml#/x`, "shared.yaml",
	} {
		f.Add(ref)
	}
	shared := []byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},"components":{"schemas":{"S":{"type":"object"}}}}`)
	f.Fuzz(func(t *testing.T, ref string) {
		ref = strings.ToValidUTF8(ref, "")
		doc := map[string]any{
			"openapi": "3.0.3", "info": map[string]any{"title": "t", "version": "1"},
			"paths": map[string]any{"/v3/x": map[string]any{"get": map[string]any{"operationId": "getX",
				"responses": map[string]any{"200": map[string]any{"description": "ok",
					"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": ref}}}}}}}},
			"components": map[string]any{"schemas": map[string]any{"S": map[string]any{"type": "string"}}},
		}
		data, err := json.Marshal(doc)
		if err != nil {
			t.Skip()
		}
		fsys := &watchedFS{FS: fstest.MapFS{"dir/spec.json": {Data: data}, "dir/shared.yaml": {Data: shared}, "shared.yaml": {Data: shared}}}
		_, _ = loadDocument(Spec{Name: "dir/spec.json", FS: fsys})
		fsys.mu.Lock()
		defer fsys.mu.Unlock()
		for _, name := range fsys.opened {
			if !fs.ValidPath(name) {
				t.Errorf("$ref %q opened %q", ref, name)
			}
		}
	})
}
