package main

import (
	"os"
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	f, err := os.Open("testdata/sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := parse(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pkg, name, unit string
		want            float64
	}{
		{benchPkg, "BenchmarkCryptoFloor", "ns/op", 2000000}, // median of three
		{benchPkg, "BenchmarkTerminateByCode", "ns/op", 2100000},
		{benchPkg, "BenchmarkTerminateByCode", "allocs/op", 152},
		{genPkg, "BenchmarkGenerate/ops=10/ogen", "skipped-ops", 2},
	} {
		if got, ok := rs.find(tc.pkg, tc.name).get(tc.unit); !ok || got != tc.want {
			t.Errorf("%s %s = %v, %v; want %v", tc.name, tc.unit, got, ok, tc.want)
		}
	}
	if r := rs.find(genPkg, "BenchmarkGenerate/ops=10/oapi-codegen"); r == nil || !r.skipped {
		t.Errorf("the refused generation is not marked skipped: %+v", r)
	}
	out := write(rs)
	for _, want := range []string{
		"| time ≤ 1.03 × (CryptoFloor + HTTPFloor) | 1.000× | 1.030× | met |",
		"| allocs ≤ HTTPFloor + CryptoFloor + 25 | 152 | 142 | **missed** by 10 |",
		"| at least as fast as oapi-codegen | 0.955× | 1.000× | met |",
		`refuses the spec as is (Feature "x" is not implemented yet.); skipped 2 of 10 operations`,
		"refused: oapi-codegen on ops10.yaml: exit status 1",
		"| time ≤ 1.10 × (CryptoFloorOpenSSL + HTTPFloor) | 1.150× | 1.100× | **missed** by 5.0% |",
		"| (diagnostic) time ÷ FloorsInSequenceOpenSSL | 1.045× | 1.100× | within |",
		"| (diagnostic) (CryptoFloorOpenSSL + the round trip of HTTPFloorAfterWork) ÷ (CryptoFloorOpenSSL + HTTPFloor): no client code | 1.150× | 1.100× | above |",
		"| (diagnostic) time ÷ (CryptoFloorOpenSSL + the round trip of HTTPFloorAfterWork) | 1.000× | 1.100× | within |",
		"takes 250.0 µs, 2.50× the 100.0 µs it takes in HTTPFloor's tight loop",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if svg := plot(rs); !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "Generation time") {
		t.Errorf("plot is not an SVG of the generators:\n%s", svg)
	}
}

func TestUpdateDoc(t *testing.T) {
	file := t.TempDir() + "/B.md"
	doc := "# T\n\n" + beginMarker + "\nold\n" + endMarker + "\ntail\n"
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := updateDoc(file, "new\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(file)
	if want := "# T\n\n" + beginMarker + "\n\nnew\n" + endMarker + "\ntail\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
