package generator

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// mutationValues replace the value of a "key: value" line of a spec.
var mutationValues = []string{`string`, `integer`, `number`, `array`, `object`, `boolean`, `"null"`, `true`, `-1`,
	`0`, `1e300`, `{}`, `[]`, `""`, `"#/components/schemas/Missing"`, `{$ref: "#/components/schemas/Missing"}`,
	`[a, 1, null]`, `{type: object, additionalProperties: {type: integer}}`, `{oneOf: [{type: string}, {type: integer}]}`}

var keyValue = regexp.MustCompile(`^(\s*-?\s*[^:#\s][^:#]*:)\s*(\S.*)$`)

// TestMutatedSpecs runs the generator on specs mutated at random, but from a
// fixed seed, line by line: a line dropped, duplicated, or its value
// replaced by another of mutationValues. Whatever the mutation, the
// generator refuses the spec with a located error or generates a package
// that type-checks against the runtime, examples included; it never panics.
// The fuzz target FuzzGenerate does the same with the fuzzer's mutations.
func TestMutatedSpecs(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a few hundred packages")
	}
	seeds, _ := filepath.Glob("testdata/scenarios/*/spec.yaml")
	seeds = append(seeds, "../spec/password-exempt-contract.yaml", "testdata/wechatpay/refunds.yaml", "testdata/wechatpay/profitsharing.yaml")
	rnd := rand.New(rand.NewPCG(9, 2026))
	const perSeed = 12
	generated, refused := 0, 0
	for _, seed := range seeds {
		data, err := os.ReadFile(seed)
		if err != nil {
			t.Fatal(err)
		}
		// The seed's siblings, which its $refs may read.
		siblings, _ := filepath.Glob(filepath.Join(filepath.Dir(seed), "*.yaml"))
		lines := strings.Split(string(data), "\n")
		for range perSeed {
			mutated := append([]string(nil), lines...)
			i := rnd.IntN(len(mutated))
			what := ""
			switch rnd.IntN(3) {
			case 0:
				what = "drop line"
				mutated = append(mutated[:i], mutated[i+1:]...)
			case 1:
				what = "duplicate line"
				mutated = append(mutated[:i+1], mutated[i:]...)
			default:
				what = "replace value"
				if m := keyValue.FindStringSubmatch(mutated[i]); m != nil {
					mutated[i] = m[1] + " " + mutationValues[rnd.IntN(len(mutationValues))]
				}
			}
			dir := t.TempDir()
			for _, s := range siblings {
				if b, err := os.ReadFile(s); err == nil {
					os.WriteFile(filepath.Join(dir, filepath.Base(s)), b, 0o600)
				}
			}
			path := filepath.Join(dir, "mutated.yaml")
			if err := os.WriteFile(path, []byte(strings.Join(mutated, "\n")), 0o600); err != nil {
				t.Fatal(err)
			}
			where := seed + ": " + what + " " + strings.TrimSpace(lines[i])
			const importPath = "example.com/mutated"
			files, err := generate(path, "mutated", fixedImport(importPath))
			if err != nil {
				if strings.Contains(err.Error(), "internal error") {
					t.Errorf("%s: the generator panicked: %v", where, err)
				}
				if !strings.Contains(err.Error(), dir) {
					t.Errorf("%s: the error names no file of the spec: %v", where, err)
				}
				refused++
				continue
			}
			byName := map[string][]byte{}
			for _, f := range files {
				byName[f.Name] = f.Data
			}
			if err := typeCheckFiles(t, importPath, byName); err != nil {
				t.Errorf("%s: the generated package does not type-check: %v", where, err)
			}
			generated++
		}
	}
	t.Logf("%d mutated specs: %d generated and type-checked, %d refused", generated+refused, generated, refused)
}
