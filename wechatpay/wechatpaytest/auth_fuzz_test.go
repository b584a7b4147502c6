package wechatpaytest

import (
	"slices"
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
