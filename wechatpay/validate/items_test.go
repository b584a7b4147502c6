package validate

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/payforge/wechatpay/wechatpay"
)

func TestDuplicate(t *testing.T) {
	for _, c := range []struct {
		items []string
		want  int
	}{{nil, -1}, {[]string{"a"}, -1}, {[]string{"a", "b", "c"}, -1}, {[]string{"a", "b", "a", "b"}, 2}, {[]string{"", ""}, 1}} {
		if got := Duplicate(c.items); got != c.want {
			t.Errorf("Duplicate(%q) = %d, want %d", c.items, got, c.want)
		}
	}
	type obj struct {
		N *int `json:"n,omitempty"`
	}
	one, alsoOne, two := 1, 1, 2
	if got := DuplicateJSON([]obj{{&one}, {&two}, {&alsoOne}}); got != 2 {
		t.Errorf("DuplicateJSON of pointers to equal numbers = %d, want 2", got)
	}
	if got := DuplicateJSON([]obj{{&one}, {}, {&two}}); got != -1 {
		t.Errorf("DuplicateJSON of distinct objects = %d, want -1", got)
	}
	if got := DuplicateJSON([][]string{{"a"}, {"a", "b"}, {"a"}}); got != 2 {
		t.Errorf("DuplicateJSON of arrays = %d, want 2", got)
	}
}

func TestUniqueItemsAndHeader(t *testing.T) {
	var v Errors
	v.Items("ids", 3, true, Required).UniqueItems(Duplicate([]int{1, 2, 1}))
	v.Items("absent", 0, false, Required).UniqueItems(0) // required: only that is reported
	v.Items("fine", 2, true, Optional).UniqueItems(-1)
	v.String("X-Tag", "a\r\nInjected: 1", Required).Header()
	v.String("X-Tab", "a\tb", Required).Header()
	v.String("X-Empty", "", Optional).Header()
	want := []string{
		"ids uniqueItems: has item 2 equal to an earlier one; items must differ",
		"absent required: is required",
		"X-Tag header: holds a control character, which a header value cannot carry",
	}
	if g := got(t, v.Err()); !slices.Equal(g, want) {
		t.Fatalf("violations\n got %q\nwant %q", g, want)
	}
}

type elem struct {
	A string `json:"a"`
}

func (e *elem) checkAnswer(data []byte, field string) error {
	_, err := Object(data, field, "a")
	return err
}

func TestElems(t *testing.T) {
	var out []elem
	data := []byte(`[{"a":"x"},{"b":1}]`)
	a := Answer{Operation: "list", Response: &wechatpay.Response{Body: data, RequestID: "r1"}}
	err := a.Decode(&out, Elems(&out, (*elem).checkAnswer))
	var de *wechatpay.DecodeError
	if !errors.As(err, &de) || de.Field != "[1].a" || de.RequestID != "r1" || !errors.Is(err, wechatpay.ErrMissingField) {
		t.Fatalf("error %v, want [1].a missing", err)
	}
	a.Response.Body = []byte(`[{"a":"x"},{"a":"y"}]`)
	out = nil
	if err := a.Decode(&out, Elems(&out, (*elem).checkAnswer)); err != nil || len(out) != 2 {
		t.Fatalf("%v, %v", out, err)
	}
	var s string
	a.Response.Body = []byte(`"text"`)
	if err := a.Decode(&s, AnyJSON); err != nil || s != "text" {
		t.Fatalf("AnyJSON: %q, %v", s, err)
	}
	if err := a.Decode(&s, nil); err == nil {
		t.Fatal("without a check, an answer that is not an object must fail")
	}
}

// thing is an object with a required name, as a generated struct with its
// checkAnswer method.
type thing struct {
	Name string `json:"name"`
}

func (*thing) checkAnswer(data []byte, field string) error {
	_, err := Object(data, field, "name")
	return err
}

// TestValuesAndEach: the values of a map and the elements of an array, at
// any depth, are checked against the JSON they were decoded from, named as
// the request checks name them (field.key, field[i]); map keys are matched
// exactly, as encoding/json decodes them.
func TestValuesAndEach(t *testing.T) {
	for _, tt := range []struct {
		data      string
		wantField string // the DecodeError's Field, "" for none
	}{
		{`{"k":{"name":"a"},"l":{"name":"b"}}`, ""},
		{`{}`, ""},
		{`{"k":null}`, ""},
		{`{"k":{"name":"a"},"l":{}}`, "byname.l.name"},
		{`{"b":{},"a":{}}`, "byname.a.name"},
		// Two keys that differ only in case are two members of the map.
		{`{"K":{"name":"a"},"k":{}}`, "byname.k.name"},
		// The last of two equal keys is the value decoded.
		{`{"k":{},"k":{"name":"a"}}`, ""},
		{`{"k":{"name":"a"},"k":{}}`, "byname.k.name"},
		{`{"a.b":{}}`, "byname.a.b.name"},
	} {
		var out map[string]thing
		if err := json.Unmarshal([]byte(tt.data), &out); err != nil {
			t.Fatal(err)
		}
		err := Values((*thing).checkAnswer)(&out, []byte(tt.data), "byname")
		var de *wechatpay.DecodeError
		switch {
		case tt.wantField == "" && err != nil:
			t.Errorf("%s: %v", tt.data, err)
		case tt.wantField == "":
		case !errors.As(err, &de) || de.Field != tt.wantField || !errors.Is(err, wechatpay.ErrMissingField):
			t.Errorf("%s: got %v, want a missing %s", tt.data, err, tt.wantField)
		}
	}

	// Maps of arrays, arrays of arrays.
	data := `{"k":[[{"name":"a"}],[{"name":"b"},{}]]}`
	var nested map[string][][]thing
	if err := json.Unmarshal([]byte(data), &nested); err != nil {
		t.Fatal(err)
	}
	err := Values(Each(Each((*thing).checkAnswer)))(&nested, []byte(data), "m")
	var de *wechatpay.DecodeError
	if !errors.As(err, &de) || de.Field != "m.k[1][1].name" {
		t.Fatalf("nested: %v", err)
	}

	// A map that is not what was decoded is refused, never read past.
	out := map[string]thing{"k": {Name: "a"}}
	for _, data := range []string{`{"j":{"name":"a"}}`, `{"k":{"name":"a"},"l":{"name":"b"}}`, `[]`} {
		if err := Values((*thing).checkAnswer)(&out, []byte(data), "byname"); !errors.As(err, &de) || de.Field != "byname" {
			t.Errorf("%s: %v", data, err)
		}
	}
}
