package build

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/model"
)

// declare records a top-level Go name, failing if another element of the
// spec already became the same name.
func (b *builder) declare(goName, what, loc string, origin *openapi3.Origin) error {
	if prev, ok := b.names[goName]; ok {
		return b.errorf(origin, loc, "names collide after conversion to Go: %s and %s both become %s", what, prev, goName)
	}
	b.names[goName] = fmt.Sprintf("%s (at %s)", what, loc)
	return nil
}

// named declares a named type, shared when it comes from a component or is
// nested in one.
func (b *builder) named(goName string, role model.Role, component string, key *openapi3.Schema, loc string, origin *openapi3.Origin) (*model.Named, error) {
	what := "the type of " + loc
	if component != "" {
		what = fmt.Sprintf("schema %q", component)
	}
	if err := b.declare(goName, what, loc, origin); err != nil {
		return nil, err
	}
	n := &model.Named{GoName: goName, Role: role, Location: loc}
	if component != "" {
		b.shared[key] = n
	}
	if component != "" || b.inComponent > 0 {
		b.pkg.Shared = append(b.pkg.Shared, n)
	} else {
		n.Op = b.op
		b.op.Owned = append(b.op.Owned, n)
	}
	return n, nil
}

// newNamed declares a named type. Types of component schemas are shared;
// the others belong to the operation being built.
func (b *builder) newNamed(goName string, role model.Role, what, loc string, origin *openapi3.Origin) (*model.Named, error) {
	if err := b.declare(goName, what, loc, origin); err != nil {
		return nil, err
	}
	n := &model.Named{GoName: goName, Role: role, Location: loc, Op: b.op}
	if role == model.RoleRequest || role == model.RoleResponse {
		b.op.Owned = append(b.op.Owned, n)
	}
	return n, nil
}

// refLoc turns a $ref into a dotted location: "#/components/schemas/X" →
// "components.schemas.X". The element a $ref leads to may be in a sibling
// file of the spec, named by the $ref or, for a $ref written in that file,
// by the origin of the element: its location is then prefixed with the
// file's name, "common.yaml#components.schemas.X".
func (b *builder) refLoc(ref string, origin *openapi3.Origin) string {
	file, frag, _ := strings.Cut(ref, "#")
	frag = strings.TrimPrefix(frag, "/")
	var parts []string
	if frag != "" {
		parts = strings.Split(frag, "/")
	}
	for i, p := range parts {
		parts[i] = unescapePointer(p)
	}
	dotted := strings.Join(parts, ".")
	if origin != nil && origin.Key != nil && origin.Key.File != "" {
		file = origin.Key.File
	}
	if file == "" || filepath.Base(filepath.FromSlash(file)) == b.opts.SpecBase {
		return dotted
	}
	return path.Base(filepath.ToSlash(file)) + "#" + dotted
}

func unescapePointer(p string) string {
	return strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
}

// componentName returns the name of the schema a $ref points to, which names
// the Go type made of it: NAME for a component schema,
// "#/components/schemas/NAME" of the spec or of a sibling file; the file's
// name without its extension for a $ref to a whole file ("amount.yaml"); the
// key for a $ref to a top-level key of a sibling file
// ("fragments.yaml#/Amount"). It is "" for a $ref to anything else.
func componentName(ref string) string {
	file, frag, _ := strings.Cut(ref, "#")
	const prefix = "/components/schemas/"
	switch {
	case strings.HasPrefix(frag, prefix) && !strings.Contains(frag[len(prefix):], "/"):
		return unescapePointer(frag[len(prefix):])
	case file != "" && (frag == "" || frag == "/"):
		base := path.Base(file)
		return strings.TrimSuffix(base, path.Ext(base))
	case file != "" && strings.HasPrefix(frag, "/"):
		// A key of a file of fragments ("fragments.yaml#/Amount",
		// "ext.json#/definitions/b"): its last element.
		return unescapePointer(frag[strings.LastIndexByte(frag, '/')+1:])
	}
	return ""
}

// checkFieldNames refuses two fields of one struct with the same Go name,
// and a field of a request struct named like its Validate method.
func checkFieldNames(b *builder, n *model.Named, loc string) error {
	seen := map[string]*model.Field{}
	for _, f := range n.Fields {
		if prev, ok := seen[f.GoName]; ok {
			return b.errorf(nil, loc, "names collide after conversion to Go: %q (at %s) and %q (at %s) both become field %s of %s",
				prev.JSONName, prev.Location, f.JSONName, f.Location, f.GoName, n.GoName)
		}
		seen[f.GoName] = f
		if n.Role == model.RoleRequest && f.GoName == "Validate" {
			return b.errorf(nil, f.Location, "names collide after conversion to Go: %q becomes field Validate of %s, which has a method of that name", f.JSONName, n.GoName)
		}
	}
	return nil
}
