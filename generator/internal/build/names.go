package build

import (
	"fmt"
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
func (b *builder) named(goName string, role model.Role, component, ref, loc string, origin *openapi3.Origin) (*model.Named, error) {
	what := "the type of " + loc
	if component != "" {
		what = fmt.Sprintf("schema %q", component)
	}
	if err := b.declare(goName, what, loc, origin); err != nil {
		return nil, err
	}
	n := &model.Named{GoName: goName, Role: role, Location: loc}
	if component != "" {
		b.shared[ref] = n
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

// refLoc turns a local $ref into a dotted location: "#/components/schemas/X"
// → "components.schemas.X".
func refLoc(ref string) string {
	ref = strings.TrimPrefix(ref, "#/")
	parts := strings.Split(ref, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return strings.Join(parts, ".")
}

// componentName returns the name of the component schema ref points to, or
// "" when ref is not of the form #/components/schemas/NAME.
func componentName(ref string) string {
	const prefix = "#/components/schemas/"
	if !strings.HasPrefix(ref, prefix) || strings.Contains(ref[len(prefix):], "/") {
		return ""
	}
	return strings.ReplaceAll(strings.ReplaceAll(ref[len(prefix):], "~1", "/"), "~0", "~")
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
