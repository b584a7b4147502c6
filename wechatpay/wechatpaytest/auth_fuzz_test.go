package wechatpaytest

import (
	"slices"
	"strings"
	"testing"
)

// FuzzParseAuthorization checks the sandbox's Authorization parser: it never
// panics, and a header it accepts holds the five fields once each and is
// written back byte for byte. Seeds are in testdata/fuzz/FuzzParseAuthorization.
func FuzzParseAuthorization(f *testing.F) {
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="c2ln",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`)
	f.Fuzz(func(t *testing.T, header string) {
		auth, e := parseAuthorization(header)
		if e != nil {
			if auth != nil || e.Code != "SIGN_ERROR" || e.Status != 401 || e.Message == "" {
				t.Fatalf("refusal of %q: fields %v, answer %d %s %q", header, auth, e.Status, e.Code, e.Message)
			}
			return
		}
		if got := auth.String(); got != header {
			t.Fatalf("accepted %q but writes it back as %q", header, got)
		}
		again, e := parseAuthorization(auth.String())
		if e != nil || !slices.Equal(again, auth) {
			t.Fatalf("written form %q parses to %v, %v; want %v", auth.String(), again, e, auth)
		}
		fields := auth.fields()
		if len(auth) != len(authFieldNames) || len(fields) != len(authFieldNames) {
			t.Fatalf("accepted %q with fields %v", header, auth)
		}
		for _, name := range authFieldNames {
			if _, ok := fields[name]; !ok {
				t.Fatalf("accepted %q without %s", header, name)
			}
		}
	})
}

func TestParseAuthorization(t *testing.T) {
	const fields = `mchid="1900000109",nonce_str="n",signature="c2ln==",timestamp="1554208460",serial_no="x"`
	for _, tt := range []struct {
		header string
		ok     bool
	}{
		{authScheme + fields, true},
		{authScheme + `serial_no="x",timestamp="1",signature="s",nonce_str="n",mchid="1"`, true},
		{authScheme + `mchid="",nonce_str="",signature="",timestamp="",serial_no=""`, true},
		{authScheme + fields + `,mchid="1900000109"`, false},
		{authScheme + fields + `,`, false},
		{authScheme + `mchid=1900000109,nonce_str="n",signature="s",timestamp="1",serial_no="x"`, false},
		{authScheme + `mchid="19"00",nonce_str="n",signature="s",timestamp="1",serial_no="x"`, false},
		{authScheme + `mchid=",nonce_str="n",signature="s",timestamp="1",serial_no="x"`, false},
		{authScheme + `mchid='1',nonce_str='n',signature='s',timestamp='1',serial_no='x'`, false},
		{"WECHATPAY2-SHA256-RSA2048  " + fields, false},
		{"WECHATPAY2-SHA256-RSA2048" + fields, false},
		{"", false},
	} {
		auth, e := parseAuthorization(tt.header)
		if (e == nil) != tt.ok {
			t.Errorf("parseAuthorization(%q) = %v, %v; want ok %v", tt.header, auth, e, tt.ok)
		}
	}
}

// FuzzAuthorizationFields is FuzzParseAuthorization's shaped half: five
// fuzzed values written as a client writes them (key="value", joined by
// commas, in an order the fuzzer picks). A header whose values hold no quote
// and no comma must be accepted with exactly those values, in that order;
// any other is refused with SIGN_ERROR. Every input reaches the parser's
// field handling, where a raw header rarely gets past the scheme.
func FuzzAuthorizationFields(f *testing.F) {
	f.Add("1900000109", "593BEC0C930BF1AFEB40B4A08C8FB242", "c2ln", "1554208460", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", uint8(0))
	f.Add("", "n=1", "s", `a"b`, "é", uint8(7))
	f.Add("1", "a,b", "s", "1", "x", uint8(119))
	f.Fuzz(func(t *testing.T, mchid, nonce, signature, timestamp, serial string, order uint8) {
		values := map[string]string{"mchid": mchid, "nonce_str": nonce, "signature": signature, "timestamp": timestamp, "serial_no": serial}
		// One of the 120 orders of the five names, picked by order.
		names := slices.Clone(authFieldNames)
		for i, k := len(names), int(order); i > 1; i-- {
			j := k % i
			k /= i
			names[i-1], names[j] = names[j], names[i-1]
		}
		var parts []string
		clean := true
		for _, name := range names {
			v := values[name]
			parts = append(parts, name+`="`+v+`"`)
			if strings.ContainsAny(v, `",`) {
				clean = false
			}
		}
		header := authScheme + strings.Join(parts, ",")
		auth, e := parseAuthorization(header)
		if !clean {
			if e == nil || e.Code != "SIGN_ERROR" || e.Status != 401 {
				t.Fatalf("%q: accepted (%v), but a value holds a quote or a comma", header, auth)
			}
			return
		}
		if e != nil {
			t.Fatalf("%q: refused (%s), though every value is clean", header, e.Message)
		}
		if auth.String() != header {
			t.Fatalf("%q written back as %q", header, auth.String())
		}
		for i, field := range auth {
			if field.key != names[i] || field.value != values[names[i]] {
				t.Fatalf("%q: field %d is %s=%q, want %s=%q", header, i, field.key, field.value, names[i], values[names[i]])
			}
		}
	})
}
