package scenariotest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"

	valuekinds "github.com/payforge/wechatpay/generator/testdata/scenarios/value_kinds/golden"
)

func validGoods() valuekinds.Goods {
	return valuekinds.Goods{Secret: "s", Name: "n", Prices: map[string]int64{"CNY": 100}}
}

// TestScenarioValueKinds: the rules of maps, formats, enums on numbers,
// readOnly and nullable properties.
func TestScenarioValueKinds(t *testing.T) {
	level, ratio := valuekinds.Level(7), valuekinds.Ratio(2)
	u0 := uint32(0)
	short := "a"
	g := valuekinds.Goods{
		ID:       "set-by-wechat-pay",
		Note:     &short,
		Prices:   map[string]int64{"CNY": 1, "EUR": -1, "USD": 1, "JPY": 1},
		Staff:    map[string]valuekinds.Staff{"boss": {}, "clerk": {Name: "c"}},
		Level:    &level,
		Ratio:    &ratio,
		ListedOn: "2024-13-01",
		Picture:  []byte("0123456789"),
		Ucount32: &u0,
	}
	r := &valuekinds.PutGoodsRequest{StoreID: 1, Body: g}
	got := violations(t, r.Validate())
	want := []string{
		"body.id readOnly", "body.secret required", "body.name required", "body.note minLength",
		"body.prices maxProperties", "body.prices.EUR minimum", "body.staff.boss.name required",
		"body.level enum", "body.ratio enum", "body.listed_on format", "body.picture maxLength", "body.ucount32 minimum",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("violations\n got %v\nwant %v", got, want)
	}
	r.Body = validGoods()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}

	// A required nullable field left nil is sent as null; a read-only one
	// is not sent; an ID written as a number is sent without an exponent.
	s := newStandIn(t, jsonAnswer(`{"id":"g1","name":"n","note":null,"created_by":null,"prices":{"CNY":100}}`))
	client := valuekinds.NewClient(s.client())
	one := valuekinds.Level1
	resp, err := client.PutGoods(context.Background(), &valuekinds.PutGoodsRequest{StoreID: 4200001234567890, Level: &one, Body: validGoods()})
	if err != nil {
		t.Fatal(err)
	}
	if resp.ID != "g1" || resp.Note != nil || resp.CreatedBy != nil {
		t.Fatalf("answer %+v", resp)
	}
	last := s.last()
	if last.RequestURI != "/v3/stores/4200001234567890/goods?level=1" {
		t.Fatalf("target %s", last.RequestURI)
	}
	if got := string(last.Body); got != `{"secret":"s","name":"n","note":null,"created_by":null,"prices":{"CNY":100}}` {
		t.Fatalf("body %s", got)
	}

	// The answer must hold the required fields, null allowed where the spec
	// allows it, the write-only secret not expected.
	for _, c := range []struct{ answer, missing string }{
		{`{"id":"g1","name":"n","created_by":null,"prices":{}}`, "note"},
		{`{"name":"n","note":null,"created_by":null,"prices":{}}`, "id"},
		{`{"id":"g1","name":"n","note":"x","created_by":{},"prices":{}}`, "created_by.name"},
		// An object of a map is checked as one of a field is, named by its
		// key, the key matched exactly as the map was decoded.
		{`{"id":"g1","name":"n","note":null,"created_by":null,"prices":{},"staff":{"boss":{"name":"b"},"clerk":{}}}`, "staff.clerk.name"},
		{`{"id":"g1","name":"n","note":null,"created_by":null,"prices":{},"staff":{"Boss":{"name":"b"},"boss":{"NAME":null}}}`, "staff.boss.name"},
	} {
		s := newStandIn(t, jsonAnswer(c.answer))
		_, err := valuekinds.NewClient(s.client()).PutGoods(context.Background(), &valuekinds.PutGoodsRequest{StoreID: 1, Body: validGoods()})
		var de *wechatpay.DecodeError
		if !errors.As(err, &de) || de.Field != c.missing || !errors.Is(err, wechatpay.ErrMissingField) {
			t.Errorf("%s: error %v, want %s missing", c.answer, err, c.missing)
		}
	}
	// Objects of a map that hold their required fields, or are null (Staff
	// may be), pass.
	s = newStandIn(t, jsonAnswer(`{"id":"g1","name":"n","note":null,"created_by":null,"prices":{},"staff":{"boss":{"name":"b"},"Boss":{"Name":"c"},"temp":null}}`))
	resp, err = valuekinds.NewClient(s.client()).PutGoods(context.Background(), &valuekinds.PutGoodsRequest{StoreID: 1, Body: validGoods()})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Staff) != 3 || resp.Staff["boss"].Name != "b" || resp.Staff["Boss"].Name != "c" {
		t.Fatalf("staff %+v", resp.Staff)
	}
}

// TestScenarioAnyJSONAnswers: answers of schema {}, of no schema, and of
// additionalProperties.
func TestScenarioAnyJSONAnswers(t *testing.T) {
	s := newStandIn(t, func(r received) answer {
		switch {
		case strings.HasSuffix(r.RequestURI, "/raw"):
			return answer{Body: []byte(`[1,"two",{"three":3}]`)}
		case strings.HasSuffix(r.RequestURI, "/labels"):
			return answer{Body: []byte(`{"a":"x","b":"y"}`)}
		}
		return answer{Body: []byte(`"a note"`)}
	})
	client := valuekinds.NewClient(s.client())
	raw, err := client.GetRaw(context.Background(), &valuekinds.GetRawRequest{StoreID: 18446744073709551615})
	if err != nil || string(raw) != `[1,"two",{"three":3}]` {
		t.Fatalf("%s, %v", raw, err)
	}
	if got := s.last().RequestURI; got != "/v3/stores/18446744073709551615/raw" {
		t.Fatalf("target %s", got)
	}
	labels, err := client.GetLabels(context.Background(), &valuekinds.GetLabelsRequest{StoreID: 1})
	if err != nil || labels["b"] != "y" {
		t.Fatalf("%v, %v", labels, err)
	}
	note, err := client.GetNote(context.Background(), &valuekinds.GetNoteRequest{StoreID: 1})
	var text string
	if err != nil || json.Unmarshal(note, &text) != nil || text != "a note" {
		t.Fatalf("%s, %v", note, err)
	}
}

// TestScenarioEchoSkipsReadOnlyAndWriteOnly: an answer of the request's
// own schema echoes what the request sent, but neither a readOnly property
// (WeChat Pay sets it, the request must not send it) nor a writeOnly one
// (the answer never holds it).
func TestScenarioEchoSkipsReadOnlyAndWriteOnly(t *testing.T) {
	req := &valuekinds.PutLabelRequest{Name: "n", Secret: "s"}
	s := newStandIn(t, jsonAnswer(`{"id":"L1","name":"n"}`))
	out, err := valuekinds.NewClient(s.client()).PutLabel(context.Background(), req)
	if err != nil || out.ID != "L1" {
		t.Fatalf("answer %+v, error %v", out, err)
	}
	s = newStandIn(t, jsonAnswer(`{"id":"L1","name":"other"}`))
	_, err = valuekinds.NewClient(s.client()).PutLabel(context.Background(), req)
	var de *wechatpay.DecodeError
	if !errors.As(err, &de) || de.Field != "name" || !errors.Is(err, wechatpay.ErrNotEchoed) {
		t.Fatalf("error %v, want name not echoed", err)
	}
}

// TestScenarioMapAnswerOfArrays: an answer that is a map of arrays of
// arrays of objects has each object checked, named by key and indexes.
func TestScenarioMapAnswerOfArrays(t *testing.T) {
	for _, c := range []struct{ answer, missing string }{
		{`{"a":[[{"name":"x"}],[]],"b":null}`, ""},
		{`{"a":[[{"name":"x"}],[{"name":"y"},{}]]}`, "a[1][1].name"},
	} {
		s := newStandIn(t, jsonAnswer(c.answer))
		teams, err := valuekinds.NewClient(s.client()).GetTeams(context.Background(), &valuekinds.GetTeamsRequest{})
		var de *wechatpay.DecodeError
		switch {
		case c.missing == "" && (err != nil || len(teams["a"]) != 2 || teams["a"][0][0].Name != "x"):
			t.Errorf("%s: %v, %v", c.answer, teams, err)
		case c.missing != "" && (!errors.As(err, &de) || de.Field != c.missing || !errors.Is(err, wechatpay.ErrMissingField)):
			t.Errorf("%s: error %v, want %s missing", c.answer, err, c.missing)
		}
	}
}
