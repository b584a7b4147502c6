package emit

import (
	"strings"
	"testing"

	"github.com/payforge/wechatpay/generator/internal/model"
)

// TestProseClaimsNothingOfItsOwn: the fixed text of the package
// documentation never says the code or the spec was written by hand; only
// the spec's own description can say so.
func TestProseClaimsNothingOfItsOwn(t *testing.T) {
	p, err := newProse(hooks{})
	if err != nil {
		t.Fatal(err)
	}
	op := &model.Operation{ID: "getThing", GoName: "GetThing"}
	op.Request = &model.Named{GoName: "GetThingRequest", Role: model.RoleRequest, Op: op}
	pkg := &model.Package{Name: "things", SpecFile: "things.yaml", Operations: []*model.Operation{op}, Main: op}
	text, err := p.text("package", pkg)
	if err != nil {
		t.Fatal(err)
	}
	for _, claim := range []string{"by hand", "hand-written", "handwritten", "hand written"} {
		if strings.Contains(strings.ToLower(text), claim) {
			t.Errorf("the package documentation says %q:\n%s", claim, text)
		}
	}
	if !strings.Contains(text, "client.GetThing(ctx, &things.GetThingRequest{") {
		t.Errorf("the package documentation does not show the main operation:\n%s", text)
	}
}

func TestClosedEnumDoc(t *testing.T) {
	p, err := newProse(hooks{})
	if err != nil {
		t.Fatal(err)
	}
	closed, err := p.text("enum", &model.Named{GoName: "State", Role: model.RoleEnum, Location: "components.schemas.State"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(closed, "A request is validated against this set: Validate refuses any other value.") {
		t.Errorf("the closed enum's doc does not say requests are validated against it:\n%s", closed)
	}
	open, err := p.text("enum", &model.Named{GoName: "State", Role: model.RoleEnum, Open: true, Location: "components.schemas.State"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(open, "refuses") || !strings.Contains(open, "Validate accepts them") {
		t.Errorf("the open enum's doc:\n%s", open)
	}
}
