package generator

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// scenarioDir holds one folder per scenario: spec.yaml, and golden/ with the
// files generated from it (rewritten by go test -update).
const scenarioDir = "testdata/scenarios"

func scenarios(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(scenarioDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		t.Fatal("no scenarios")
	}
	return out
}

// scenarioPackage is the package name a scenario is generated with.
func scenarioPackage(name string) string { return strings.ReplaceAll(name, "_", "") }

// scenarioImport is the import path of a scenario's golden package, which
// its generated examples import.
func scenarioImport(name string) string {
	return "github.com/payforge/wechatpay/generator/testdata/scenarios/" + name + "/golden"
}

func TestScenarios(t *testing.T) {
	generated := map[string]map[string][]byte{}
	for _, name := range scenarios(t) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(scenarioDir, name)
			out := t.TempDir()
			code, _, stderr := runGen(t, "-spec", filepath.Join(dir, "spec.yaml"), "-out", out, "-package", scenarioPackage(name), "-import", scenarioImport(name))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got := readDir(t, out)
			golden := filepath.Join(dir, "golden")
			if *update {
				if err := os.RemoveAll(golden); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(golden, 0o755); err != nil {
					t.Fatal(err)
				}
				for file, data := range got {
					if err := os.WriteFile(filepath.Join(golden, file), data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			sameFiles(t, got, readDir(t, golden), name)
			generated[name] = got
		})
	}
	if t.Failed() {
		return
	}
	typeCheck(t, generated)
}

// typeCheck loads each generated package in place of its golden package,
// through an overlay, so that it imports the real runtime package and its
// examples import it, and fails on any error.
func typeCheck(t *testing.T, generated map[string]map[string][]byte) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	overlay := map[string][]byte{}
	var patterns []string
	for name, files := range generated {
		dir := filepath.Join(root, "generator", "testdata", "scenarios", name, "golden")
		for file, data := range files {
			overlay[filepath.Join(dir, file)] = data
		}
		patterns = append(patterns, "./generator/testdata/scenarios/"+name+"/golden")
	}
	cfg := &packages.Config{
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
		Dir:     root,
		Overlay: overlay,
		// With the tests, so that the generated examples are checked too.
		Tests: true,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	withTests := 0
	for _, p := range pkgs {
		if strings.HasSuffix(p.PkgPath, ".test") {
			// The test main go/packages makes; only its errors matter.
			for _, e := range p.Errors {
				t.Errorf("%s: %v", p.ID, e)
			}
			continue
		}
		external := strings.HasSuffix(p.PkgPath, "_test")
		if external {
			// The examples' package, NAME_test, which imports NAME.
			withTests++
			if !slices.ContainsFunc(p.GoFiles, func(f string) bool { return filepath.Base(f) == "example_test.go" }) {
				t.Errorf("%s: the generated examples were not loaded", p.ID)
			}
			if _, ok := p.Imports[strings.TrimSuffix(p.PkgPath, "_test")]; !ok {
				t.Errorf("%s: the examples do not import their package", p.ID)
			}
		}
		if len(p.GoFiles) == 0 {
			t.Errorf("%s: no Go files loaded", p.PkgPath)
		}
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.PkgPath, e)
		}
		if p.Types == nil || !p.Types.Complete() {
			t.Errorf("%s: not type-checked", p.PkgPath)
			continue
		}
		if _, ok := p.Imports["github.com/payforge/wechatpay/wechatpay"]; !ok {
			t.Errorf("%s: does not import the runtime package", p.PkgPath)
		}
		if !external && (p.Types.Scope().Lookup("Client") == nil || p.Types.Scope().Lookup("Operations") == nil) {
			t.Errorf("%s: no Client or Operations", p.PkgPath)
		}
	}
	// A package of a spec without operations has no examples.
	want := 0
	for _, files := range generated {
		if _, ok := files["example_test.go"]; ok {
			want++
		}
	}
	if withTests != want {
		t.Fatalf("loaded %d packages with their tests, want %d", withTests, want)
	}
}

// TestScenarioCoverage names the scenario that shows each feature of the
// generator, and what in its golden output shows it: the strings must come
// in this order in the file.
func TestScenarioCoverage(t *testing.T) {
	for _, c := range []struct {
		feature, file string
		want          []string
	}{
		{"GET without a body", "two_operations/get_order.go", []string{
			"Method:       http.MethodGet", "Path:", "Query:        query,\n\t})", `validate.NoBody(body)`}},
		{"query parameters set on url.Values", "two_operations/get_order.go", []string{
			"query := url.Values{}", `query.Set("mchid", req.MchID)`, `if req.Limit != nil {`, `query.Set("limit", strconv.FormatInt(*req.Limit, 10))`}},
		{"nested objects and arrays as named types", "two_operations/create_order.go", []string{
			"Amount CreateOrderRequestAmount `json:\"amount\"`", "Detail []CreateOrderRequestDetailItem", "type CreateOrderRequestAmount struct", "type CreateOrderRequestDetailItem struct"}},
		{"enums as typed strings with constants", "two_operations/types.go", []string{
			"type OrderState string", `OrderStateSuccess OrderState = "SUCCESS"`, "func (v OrderState) Known() bool"}},
		{"int64 and float numbers", "two_operations/get_order.go", []string{"Limit *int64", "Ratio *float64"}},
		{"an operation without a response body (204)", "no_content/close_order.go", []string{
			"func (c *Client) CloseOrder(ctx context.Context, req *CloseOrderRequest) error {", "resp, err := c.rt.Do(", "if apiErr := resp.APIError(\"closeOrder\"); apiErr.Code != \"\" {", "return nil, NewClient(rt).CloseOrder(ctx, &req)"}},
		{"several operations in one package in stable order", "no_content/client.go", []string{`ID:           "closeOrder"`, `ID:           "deleteOrder"`}},
		{"anyOf of required lists", "any_of/pre_sign.go", []string{
			`errs.AnyOf("openid|sub_openid|phone_numbers", r.OpenID != "" || r.SubOpenID != "" || r.PhoneNumbers != nil, "one of openid, sub_openid and phone_numbers is required")`}},
		{"anyOf with branches of several fields, nested", "any_of/types.go", []string{
			`(p.Account != "" && p.Bank != "") || (p.Card != "" && !p.ExpiresAt.IsZero()) || p.CouponID != nil`}},
		{"open enum (x-wechatpay-known-values)", "known_values/types.go", []string{
			"type BillState string", `BillStateFinished   BillState = "FINISHED"`, "func (v BillState) Known() bool"}},
		{"open enum: no membership rule, string rules kept", "known_values/apply_bill.go", []string{
			`errs.Enum("bill_type", string(r.BillType), validate.Required, r.BillType.Known(), "ALL, SUCCESS, REFUND")`,
			`errs.String("state", string(r.State), validate.Required)`, `errs.String("hint", string(r.Hint), validate.Optional).MaxLength(8).Pattern(hintPattern)`}},
		{"date-time as time.Time", "date_time/schedule_refund.go", []string{
			"url.PathEscape(req.Since.Format(time.RFC3339Nano))", `validate.ParseTime("since", v)`, "Since time.Time `json:\"-\"`",
			"ExecuteAt time.Time `json:\"execute_at\"`", "ExpireAt time.Time `json:\"expire_at,omitzero\"`", `errs.Required("execute_at", !r.ExecuteAt.IsZero())`}},
		{"optional fields: pointers for numbers, booleans and objects, omitzero; fields in the spec's order", "optional_fields/create_goods.go", []string{
			"Price int64 `json:\"price\"`", "Size Size `json:\"size\"`",
			"OptName string `json:\"opt_name,omitzero\"`", "OptKind Kind `json:\"opt_kind,omitzero\"`",
			"OptListedAt time.Time `json:\"opt_listed_at,omitzero\"`", "OptCount *int32 `json:\"opt_count,omitzero\"`",
			"OptOnSale *bool `json:\"opt_on_sale,omitzero\"`", "OptSize *Size `json:\"opt_size,omitzero\"`",
			"OptTags []string `json:\"opt_tags,omitzero\"`", "OptExtra json.RawMessage `json:\"opt_extra,omitzero\"`"}},
		{"a response shared by several operations", "shared_response/pre_sign_web.go", []string{
			"func (c *Client) PreSignWeb(ctx context.Context, req *PreSignWebRequest) (*PreSignResult, error) {"}},
		{"a response shared by several operations: one type", "shared_response/types.go", []string{
			"// PreSignResult is the body of a successful answer to [Client.PreSignApp],", "type PreSignResult struct", "type PreSignResultPage struct"}},
		{"a component response of one operation keeps its own type", "shared_response/get_contract.go", []string{"type GetContractResponse struct"}},
		{"primitive components: no type, their rules on the field", "shared_response/pre_sign_app.go", []string{
			"// An AppID bound to the merchant.", "AppID string `json:\"appid\"`",
			"// The sub-merchant's AppID; this description wins over the component's.",
			"Must match the pattern ^https://[^?#]+$.", "NotifyURL string"}},
		{"the package Example shows the operation marked x-wechatpay-main", "two_operations/example_test.go", []string{
			"func Example() {", "client.GetOrder(context.Background(), &twooperations.GetOrderRequest{", "func ExampleClient_CreateOrder() {"}},
		{"the package documentation shows it too", "two_operations/doc.go", []string{"resp, err := client.GetOrder(ctx, &twooperations.GetOrderRequest{"}},
		{"examples in the external test package, their values passing Validate", "shared_response/example_test.go", []string{
			"package sharedresponse_test", `NotifyURL: "https://notifyurl",`}},
		{"answers: required fields checked, echoed fields compared, x-wechatpay-echo: false honoured", "optional_fields/create_goods.go", []string{
			"if err := answer.Decode(&out, out.checkAnswer); err != nil {", `validate.Same("name", out.Name, req.Name),`,
			`validate.Same("price", out.Price, req.Price),`, `); err != nil {`}},
		{"answers: mchid echoes the client's merchant ID; a field the request may leave out is compared only when sent", "shared_response/pre_sign_app.go", []string{
			`validate.Same("mchid", out.MchID, c.rt.MchID()),`, `validate.SameIfSent("sub_appid", out.SubAppID, req.SubAppID),`}},
		{"answers: presence checked in nested objects and arrays of them", "recursive/types.go", []string{
			`func (v *Node) checkAnswer(data []byte, field string) error {`, `validate.Object(data, field, "name")`,
			`if raw, ok := validate.Member(obj, "children"); ok {`,
			`validate.Elems(&v.Children, (*Node).checkAnswer)(raw, validate.Path(field, "children"))`}},
		{"recursive types through pointers and slices", "recursive/types.go", []string{"Parent *Node", "Children []Node"}},
		{"names that are Go keywords or not ASCII", "keywords/create_thing.go", []string{"Func string `json:\"func\"`", "X91D1X989D int64 `json:\"金额\"`"}},
		{"$refs to a sibling file: one type", "multi_file/types.go", []string{"(common.yaml#components.schemas.Amount)", "type Amount struct", "type Order struct"}},
		{"Swagger 2.0, converted", "swagger2/create_order.go", []string{"func (c *Client) CreateOrder(ctx context.Context, req *CreateOrderRequest) (*Order, error) {"}},
		{"allOf: one struct, the union of the parts", "all_of/jsapi_order.go", []string{"OutTradeNo string `json:\"out_trade_no\"`", "Total int64 `json:\"total\"`", "Attach string `json:\"attach\"`", "Payer Payer `json:\"payer\"`"}},
		{"array bodies and answers", "arrays/add_receivers.go", []string{"(c *Client) AddReceivers(ctx context.Context, req *AddReceiversRequest) ([]Receiver, error)", "json.Marshal(req.Body)", "validate.Elems(&out, (*Receiver).checkAnswer)"}},
		{"array query parameters by style", "arrays/list_goods.go", []string{`query.Add("ids", strconv.FormatInt(v, 10))`, `query.Set("tags", strings.Join(req.Tags, ","))`, `query.Add("filter["+k+"]", req.Filter[k])`, `query.Set("states", strings.Join(values, "|"))`, `.UniqueItems(validate.Duplicate(r.IDs))`}},
		{"header and cookie parameters; no Wechatpay-Serial field", "headers/add_receiver.go", []string{`header.Set("Idempotency-Key", req.IdempotencyKey)`, `header.Set("Cookie"`, "Header:       header,", ".Header()"}},
		{"a body whose properties collide with parameters, held whole", "collisions/patch_guest_drive_by_id.go", []string{"json.Marshal(req.Body)", "Body PartialDrive `json:\"-\"`", `r.Body.validate(&errs, "body")`}},
		{"operations named from method and path", "no_operation_id/client.go", []string{`ID:           "getRoot"`, `ID:           "getV3BilldownloadFile"`, `ID:           "getV3PetsByPetId"`}},
		{"maps, nullable, readOnly, formats, enums on numbers", "value_kinds/types.go", []string{"ID string `json:\"id,omitzero\"`", "Note *string `json:\"note\"`", "Prices map[string]int64", "Extra map[string]json.RawMessage", "Picture []byte", `errs.ReadOnly(field+".id", g.ID != "")`, `errs.IntEnum(field+".level", int64(*g.Level), g.Level.Known(), "1, 2, 3")`, "type Level int32"}},
		{"answers of any JSON", "value_kinds/get_raw.go", []string{"(json.RawMessage, error)", "validate.AnyJSON"}},
		{"oneOf with a discriminator: a sum type", "one_of/types.go", []string{"ToUserBankCard *ToUserBankCard", `validate.DiscriminatorValue(data, "type")`, `errs.Discriminator(field+".type", string(a.ToUserBankCard.Type), "USER_BANK_CARD")`}},
		{"oneOf without a discriminator: As methods", "one_of/create_payout.go", []string{"func (c CreatePayoutResponse) AsCard() (Card, error) {"}},
		{"uploads, downloads, the bill file", "files/upload_image.go", []string{"c.rt.Upload(ctx, &wechatpay.Upload{", `Types:        []string{"image/jpeg", "image/bmp", "image/png"},`}},
		{"the bill file", "files/get_v3_billdownload_file.go", []string{"return c.rt.DownloadBill(ctx, &req.BillDownload, w)"}},
		{"sensitive fields", "sensitive/add_receiver.go", []string{"enc, err := c.rt.Encrypter()", `sealed, err := req.encrypted(enc, "")`, "WechatpaySerial: enc.Serial(),", `if err := out.decrypt(c.rt, ""); err != nil {`}},
		{"2xx errors", "status_codes/close_order.go", []string{`return resp.APIError("closeOrder")`}},
		{"bodies that are not JSON, forms", "binary_body/put_file.go", []string{`ContentType:  "application/octet-stream",`}},
		{"types of a spec without operations", "types_only/types.go", []string{"type Amount struct", "type Fen int64"}},
	} {
		data, err := os.ReadFile(filepath.Join(scenarioDir, filepath.Dir(c.file), "golden", filepath.Base(c.file)))
		if err != nil {
			t.Errorf("%s: %v", c.feature, err)
			continue
		}
		rest := string(data)
		for _, w := range c.want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("%s: %s does not hold %q (after the strings before it)", c.feature, c.file, w)
				break
			}
			rest = rest[i+len(w):]
		}
	}
}
