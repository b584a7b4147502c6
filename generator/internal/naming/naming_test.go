package naming

import "testing"

func TestExported(t *testing.T) {
	cases := map[string]string{
		"service_id":                  "ServiceID",
		"mchid":                       "MchID",
		"out_contract_code":           "OutContractCode",
		"appid":                       "AppID",
		"sub_appid":                   "SubAppID",
		"openid":                      "OpenID",
		"notify_url":                  "NotifyURL",
		"sp_appid":                    "SpAppID",
		"sub_mchid":                   "SubMchID",
		"prepay_id":                   "PrepayID",
		"terminateByCode":             "TerminateByCode",
		"contract_termination_remark": "ContractTerminationRemark",
		"type":                        "Type",
		"func":                        "Func",
		"HTTPServer":                  "HTTPServer",
		"serviceId":                   "ServiceID",
		"ServiceID":                   "ServiceID",
		"password-exempt":             "PasswordExempt",
		"3ds_info":                    "X3dsInfo",
		"sha256Sum":                   "SHA256Sum",
		"utf8_name":                   "UTF8Name",
		"金额":                          "X91D1X989D",
		"total金额":                     "TotalX91D1X989D",
		"SUCCESS":                     "Success",
		"NOT_ENOUGH":                  "NotEnough",
	}
	for in, want := range cases {
		got, err := Exported(in)
		if err != nil || got != want {
			t.Errorf("Exported(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "_", "--", "（）"} {
		if got, err := Exported(in); err == nil {
			t.Errorf("Exported(%q) = %q, want an error", in, got)
		}
	}
}

func TestUnexported(t *testing.T) {
	cases := map[string]string{
		"out_contract_code": "outContractCode",
		"id":                "id",
		"mchid":             "mchID",
		"url_path":          "urlPath",
		"type":              "type_",
		"3ds":               "x3ds",
		"金额":                "x91D1X989D",
	}
	for in, want := range cases {
		got, err := Unexported(in)
		if err != nil || got != want {
			t.Errorf("Unexported(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestFileName(t *testing.T) {
	cases := map[string]string{
		"terminateByCode": "terminate_by_code.go",
		"getLinux":        "get_linux_op.go",
		"runTest":         "run_test_op.go",
		"listAmd64":       "list_amd64_op.go",
	}
	for in, want := range cases {
		if got := FileName(Snake(in)); got != want {
			t.Errorf("FileName(Snake(%q)) = %q, want %q", in, got, want)
		}
	}
}

func TestPackageName(t *testing.T) {
	got, err := PackageName("password-exempt-contract.yaml")
	if err != nil || got != "passwordexemptcontract" {
		t.Errorf("PackageName = %q, %v", got, err)
	}
	if got, err := PackageName("123.yaml"); err == nil {
		t.Errorf("PackageName(123.yaml) = %q, want an error", got)
	}
	if got, err := PackageName("统一.yaml"); err == nil {
		t.Errorf("PackageName(统一.yaml) = %q, want an error", got)
	}
}

func TestKebab(t *testing.T) {
	for _, tt := range []struct{ id, want string }{
		{"terminateByCode", "terminate-by-code"},
		{"queryByCode", "query-by-code"},
		{"terminate", "terminate"},
		{"getHTTPStatus", "get-http-status"},
		{"preEntrustSignV2", "pre-entrust-sign-v2"},
		{"v3Query", "v3-query"},
		{"queryByID", "query-by-id"},
		{"terminate_by_code", "terminate-by-code"},
		{"TerminateByCode", "terminate-by-code"},
		{"preSignQsMiniProgram", "pre-sign-qs-mini-program"},
	} {
		if got := Kebab(tt.id); got != tt.want {
			t.Errorf("Kebab(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}
