package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/payforge/wechatpay/wechatpay"
)

// fieldOracle is what encoding/json puts into a struct field whose JSON
// name is name when it decodes data: the value (nil when no key matched)
// and whether a key matched. It is the oracle of Member and Keys: the checks
// must see what the decoded struct holds.
func fieldOracle(data []byte, name string) (json.RawMessage, bool) {
	typ := reflect.StructOf([]reflect.StructField{{
		Name: "V", Type: reflect.TypeFor[json.RawMessage](), Tag: reflect.StructTag(`json:"` + name + `"`),
	}})
	// A value no JSON can decode to marks the field untouched. (RawMessage
	// decodes into the slice it holds, so the mark is compared as text.)
	const absent = "absent"
	v := reflect.New(typ)
	v.Elem().Field(0).Set(reflect.ValueOf(json.RawMessage(absent)))
	if err := json.Unmarshal(data, v.Interface()); err != nil {
		return nil, false
	}
	got := v.Elem().Field(0).Interface().(json.RawMessage)
	if string(got) == absent {
		return nil, false
	}
	return got, true
}

// oracleName reports whether encoding/json would use name as a field's JSON
// name as written (a tag it cannot hold, such as one with a comma or a
// quote, falls back to the Go field's name; "-" drops the field).
func oracleName(name string) bool {
	if name == "" || name == "-" || strings.ContainsAny(name, "\",\x00`") {
		return false
	}
	for _, r := range name {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", r):
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return false
		}
	}
	return true
}

// objectOracle is what Object promises, written with encoding/json's own
// decoding: its error for what is not an object, and for each required
// name the field oracle's verdict.
func objectOracle(data []byte, required []string) (string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return "", err
	}
	if obj == nil {
		return "", errors.New("null, not an object")
	}
	for _, name := range required {
		if v, ok := fieldOracle(data, name); !ok || isNull(v) {
			return name, wechatpay.ErrMissingField
		}
	}
	return "", nil
}

// checkMembers compares Object, Member and Keys with the oracles on data.
// Every name must be one encoding/json takes as a field name (oracleName).
// redactedJSON is err as a DecodeError holds it: encoding/json's errors
// without the values they quote, the oracle's own as they are.
func redactedJSON(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) {
		return redact(err)
	}
	return err
}

func checkMembers(t *testing.T, data []byte, required []string) {
	t.Helper()
	missing, wantErr := objectOracle(data, required)
	obj, err := Object(data, "f", required...)
	var de *wechatpay.DecodeError
	switch {
	case wantErr == nil && err != nil:
		t.Fatalf("Object(%q, %q) = %v; encoding/json reads an object holding them", data, required, err)
	case wantErr != nil && !errors.As(err, &de):
		t.Fatalf("Object(%q, %q) = %v; want a DecodeError (%v)", data, required, err, wantErr)
	case missing != "" && (de.Field != "f."+missing || !errors.Is(err, wechatpay.ErrMissingField)):
		t.Fatalf("Object(%q, %q) = %v; want %s missing", data, required, err, missing)
	case wantErr != nil && missing == "" && (de.Field != "f" || de.Err.Error() != redactedJSON(wantErr).Error()):
		t.Fatalf("Object(%q, %q) = %v; want encoding/json's %v, without the values it quotes", data, required, err, wantErr)
	}
	if wantErr != nil {
		return
	}
	names := append([]string{"a", "b", "A", "é", "É", "k", "s"}, required...)
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(data, &keys)
	for name := range keys {
		names = append(names, name, strings.ToUpper(name))
	}
	for _, name := range names {
		if !oracleName(name) {
			continue
		}
		w, has := fieldOracle(data, name)
		v, ok := Member(obj, name)
		if wok := has && !isNull(w); ok != wok || ok && !bytes.Equal(v, w) {
			t.Fatalf("Member(%q, %q) = %q, %v; encoding/json decodes %q, %v", data, name, v, ok, w, wok)
		}
		if err := Keys(obj, "f", name); (err == nil) != has {
			t.Fatalf("Keys(%q, %q) = %v; encoding/json has it: %v", data, name, err, has)
		}
	}
}

func TestMembersAgreeWithEncodingJSON(t *testing.T) {
	for _, c := range []struct {
		data     string
		required []string
	}{
		{`{"a":1,"b":"x"}`, []string{"a", "b"}},
		{` { "a" : { "b" : [1, {"c": "}"}] } , "b" : "\"" } `, []string{"a", "b"}},
		{`{"a":1,"a":null}`, []string{"a"}},
		{`{"a":null,"a":1}`, []string{"a"}},
		{`{"\u0061":2}`, []string{"a"}},
		{`{"\\u0061":2}`, []string{"a"}},
		{"{\"\xff\":1}", nil},
		{`{"é":true,"b":false}`, []string{"é", "b"}},
		{`{"A":1}`, []string{"a"}},
		{`{"list":[1],"LIST":[1,2]}`, []string{"list"}},
		{`{"MchID":"x","mchid":null}`, []string{"mchid"}},
		{`{"mchid":null,"MCHID":"x"}`, []string{"mchid"}},
		{"{\"\u212a\":1,\"\u017f\":2}", []string{"k", "s"}},
		{`{"\u00c9":1}`, []string{"é"}},
		{`{}`, nil},
		{`{"a":[]}`, []string{"a"}},
		{`null`, nil},
		{` null `, []string{"a"}},
		{`[{"a":1}]`, []string{"a"}},
		{`"a"`, nil},
		{`{"a":1`, nil},
		{`{"a":1}}`, nil},
		{``, nil},
		{`{"a":1e5,"b":-0.5,"c":true}`, []string{"a", "b", "c"}},
	} {
		checkMembers(t, []byte(c.data), c.required)
	}
	// More than 64 required names takes the other path.
	var sb strings.Builder
	var many []string
	sb.WriteString("{")
	for i := range 70 {
		name := "n" + strings.Repeat("x", i)
		many = append(many, name)
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`"` + name + `":1`)
	}
	sb.WriteString("}")
	checkMembers(t, []byte(sb.String()), many)
	checkMembers(t, []byte(strings.Replace(sb.String(), `"nxxx":1`, `"nxxx":null`, 1)), many)
}

// FuzzMembers: on any bytes, Object, Member and Keys agree with
// encoding/json's map decoding. The shaped input puts the fuzzed name and
// value into an object beside others, so most inputs reach the lookups.
func FuzzMembers(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":{"c":[1,2]}}`), "a", `"x"`)
	f.Add([]byte(`{"a\u0000":null}`), "b", `null`)
	f.Add([]byte(`[1]`), "\\", `{"}":"{"}`)
	f.Add([]byte(`{"LIST":[1],"list":null}`), "List", `[2]`)
	f.Fuzz(func(t *testing.T, data []byte, name, value string) {
		if !oracleName(name) {
			name = "n"
		}
		checkMembers(t, data, []string{name, "a"})
		key, err := json.Marshal(name)
		if err != nil {
			return
		}
		shaped := []byte(`{"a":{"b":[1,"]"]},` + string(key) + `:` + value + `, "z" : null}`)
		checkMembers(t, shaped, []string{name, "a", "z"})
	})
}

func BenchmarkObject(b *testing.B) {
	data := []byte(`{"mchid":"1230000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000","contract_terminate_info":{"contract_termination_mode":"MERCHANT_TERMINATE","contract_terminated_time":"2020-09-10T10:00:00+08:00"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Object(data, "", "mchid", "service_id", "out_contract_code"); err != nil {
			b.Fatal(err)
		}
	}
}
