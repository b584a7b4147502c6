// Package bigspec makes large OpenAPI 3 documents out of a small one, so the
// generators can be timed against the number of operations: it clones the
// operations with renamed operationIds, paths and schemas.
package bigspec

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// methods are the keys of a path item that hold operations.
var methods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true,
}

const schemaRef = "#/components/schemas/"

// operation is one method of one path of the source document.
type operation struct {
	path, method string
	item         *yaml.Node // the path item (mapping)
	op           *yaml.Node // the operation (mapping)
}

// Count returns the number of operations of the document spec.
func Count(spec []byte) (int, error) {
	_, ops, err := parse(spec)
	return len(ops), err
}

// Make returns the document spec grown (or cut) to exactly n operations: the
// operations of spec in their order, then copy 1 of them, copy 2 and so on. In
// copy k, an operationId gets the prefix copyk (copy2TerminateByCode), a path
// the segment copyk after its first one (/v3/copy2/…), and every schema the
// copied operations reference, directly or through other schemas, is cloned
// as CopykName. Prefixes, not suffixes: a generator that names an anyOf
// branch Name0 would otherwise meet Name1 + 0 = Name10. Shared parameters and
// responses stay shared.
func Make(spec []byte, n int) ([]byte, error) {
	if n < 1 {
		return nil, fmt.Errorf("bigspec: %d operations: want at least 1", n)
	}
	root, ops, err := parse(spec)
	if err != nil {
		return nil, err
	}
	schemas := lookup(lookup(root, "components"), "schemas")
	if schemas == nil {
		schemas = &yaml.Node{Kind: yaml.MappingNode}
	}
	original := map[string]*yaml.Node{}
	for i := 0; i+1 < len(schemas.Content); i += 2 {
		original[schemas.Content[i].Value] = schemas.Content[i+1]
	}

	paths := &yaml.Node{Kind: yaml.MappingNode}
	items := map[string]*yaml.Node{}
	cloned := map[string]bool{} // schema names already added
	for i := range n {
		src, k := ops[i%len(ops)], i/len(ops)
		path, op := src.path, src.op
		var refs []string
		if k > 0 {
			path = copyPath(src.path, k)
			op = clone(src.op)
			refs = rename(op, k)
			// x-wechatpay-main marks one operation of a document as the
			// package's main one; a copy is never it.
			remove(op, "x-wechatpay-main")
			if id := lookup(op, "operationId"); id != nil && id.Value != "" {
				id.Value = "copy" + strconv.Itoa(k) + strings.ToUpper(id.Value[:1]) + id.Value[1:]
			}
		}
		item := items[path]
		if item == nil {
			item = &yaml.Node{Kind: yaml.MappingNode}
			for j := 0; j+1 < len(src.item.Content); j += 2 {
				if key := src.item.Content[j].Value; !methods[key] {
					value := src.item.Content[j+1]
					if k > 0 {
						value = clone(value)
						refs = append(refs, rename(value, k)...)
					}
					item.Content = append(item.Content, scalar(key), value)
				}
			}
			items[path] = item
			paths.Content = append(paths.Content, scalar(path), item)
		}
		item.Content = append(item.Content, scalar(src.method), op)

		// Clone what the copy references, and what that references in turn.
		for len(refs) > 0 {
			name := refs[len(refs)-1]
			refs = refs[:len(refs)-1]
			if cloned[name] {
				continue
			}
			base := strings.TrimPrefix(name, copyPrefix(k))
			schema, ok := original[base]
			if !ok {
				return nil, fmt.Errorf("bigspec: %s references the unknown schema %s", src.path, base)
			}
			cloned[name] = true
			c := clone(schema)
			refs = append(refs, rename(c, k)...)
			schemas.Content = append(schemas.Content, scalar(name), c)
		}
	}
	setKey(root, "paths", paths)

	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("bigspec: encode: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("bigspec: encode: %w", err)
	}
	return out.Bytes(), nil
}

func parse(spec []byte) (*yaml.Node, []operation, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		return nil, nil, fmt.Errorf("bigspec: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, errors.New("bigspec: the document is not a mapping")
	}
	root := doc.Content[0]
	paths := lookup(root, "paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return nil, nil, errors.New("bigspec: the document has no paths")
	}
	var ops []operation
	for i := 0; i+1 < len(paths.Content); i += 2 {
		item := paths.Content[i+1]
		for j := 0; j+1 < len(item.Content); j += 2 {
			if m := item.Content[j].Value; methods[m] {
				ops = append(ops, operation{path: paths.Content[i].Value, method: m, item: item, op: item.Content[j+1]})
			}
		}
	}
	if len(ops) == 0 {
		return nil, nil, errors.New("bigspec: the document has no operations")
	}
	return root, ops, nil
}

// copyPath inserts copyk after the first segment: /v3/a/b becomes /v3/copyk/a/b.
func copyPath(path string, k int) string {
	seg := "/copy" + strconv.Itoa(k)
	rest := strings.TrimPrefix(path, "/")
	first, tail, found := strings.Cut(rest, "/")
	if !found {
		return path + seg
	}
	return "/" + first + seg + "/" + tail
}

func copyPrefix(k int) string { return "Copy" + strconv.Itoa(k) }

// rename points every schema $ref under n to copy k of the schema and returns
// the new names.
func rename(n *yaml.Node, k int) []string {
	var names []string
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				key, v := n.Content[i], n.Content[i+1]
				if key.Value == "$ref" && v.Kind == yaml.ScalarNode && strings.HasPrefix(v.Value, schemaRef) {
					name := copyPrefix(k) + strings.TrimPrefix(v.Value, schemaRef)
					v.Value = schemaRef + name
					names = append(names, name)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return names
}

func clone(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = clone(x)
	}
	return &c
}

// remove deletes key and its value from the mapping m, if there.
func remove(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// WriteFiles writes the document in the file src grown to each of sizes
// operations into dir, as opsN.yaml, and returns the paths by size. A size
// equal to src's own count maps to src itself.
func WriteFiles(src, dir string, sizes []int) (map[int]string, error) {
	spec, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	own, err := Count(spec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	paths := map[int]string{}
	for _, n := range sizes {
		if n == own {
			paths[n] = src
			continue
		}
		big, err := Make(spec, n)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, fmt.Sprintf("ops%d.yaml", n))
		if err := os.WriteFile(p, big, 0o644); err != nil {
			return nil, err
		}
		paths[n] = p
	}
	return paths, nil
}

// ParseSizes parses a comma-separated list of operation counts.
func ParseSizes(s string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bigspec: size %q: want a positive integer", f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}
