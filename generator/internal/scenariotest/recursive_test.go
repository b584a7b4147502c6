package scenariotest

import (
	"context"
	"errors"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"

	"github.com/payforge/wechatpay/generator/testdata/scenarios/recursive/golden"
)

// TestScenarioAnswerArrayOfObjects: an answer whose array of objects is
// given twice under names encoding/json takes for the same field (it matches
// keys without regard to case, and the last one wins) is refused with a
// DecodeError; the presence checks never index past the decoded elements.
func TestScenarioAnswerArrayOfObjects(t *testing.T) {
	const body = `{"root":{"name":"r","children":[{"name":"a"}],"CHILDREN":[{"name":"a"},{}]}}`
	s := newStandIn(t, jsonAnswer(body))
	_, err := recursive.NewClient(s.client()).PlantTree(context.Background(), &recursive.PlantTreeRequest{Root: recursive.Node{Name: "r"}})
	var de *wechatpay.DecodeError
	if !errors.As(err, &de) {
		t.Errorf("%s: error %v, want a *wechatpay.DecodeError", body, err)
	}
	// A well-formed answer still passes, and a missing name inside the array
	// is named.
	s = newStandIn(t, jsonAnswer(`{"root":{"name":"r","children":[{"name":"a"},{"name":"b","children":[{}]}]}}`))
	_, err = recursive.NewClient(s.client()).PlantTree(context.Background(), &recursive.PlantTreeRequest{Root: recursive.Node{Name: "r"}})
	if !errors.As(err, &de) || de.Field != "root.children[1].children[0].name" || !errors.Is(err, wechatpay.ErrMissingField) {
		t.Fatalf("error %v, want root.children[1].children[0].name missing", err)
	}
	s = newStandIn(t, jsonAnswer(`{"root":{"name":"r","children":[{"name":"a"},{"name":"b","children":[{"name":"c"}]}]}}`))
	out, err := recursive.NewClient(s.client()).PlantTree(context.Background(), &recursive.PlantTreeRequest{Root: recursive.Node{Name: "r"}})
	if err != nil || out.Root.Children[1].Children[0].Name != "c" {
		t.Fatalf("answer %+v, error %v", out, err)
	}
}
