package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The packages of the call and of the generator benchmarks, and the prefix
// of the probes' packages (one per spec size, named opsN).
const (
	benchPkg = "github.com/payforge/wechatpay/bench"
	genPkg   = "github.com/payforge/wechatpay/bench/genbench"
	scalePkg = "github.com/payforge/wechatpay/bench/out/_pkg/scale/ops"
)

// The call benchmarks, in the order of the table.
var calls = []string{
	"BenchmarkCryptoFloor",
	"BenchmarkHTTPFloor",
	"BenchmarkFloorsInSequence",
	"BenchmarkTerminateByCode",
	"BenchmarkTerminateByCodeOpenSSL",
	"BenchmarkCryptoFloorOpenSSL",
	"BenchmarkFloorsInSequenceOpenSSL",
	"BenchmarkTerminateByCodeOpenSSLVerify",
	"BenchmarkOapiCodegenTerminateByCode",
	"BenchmarkSignGo",
	"BenchmarkSignOpenSSL",
	"BenchmarkVerifyGo",
	"BenchmarkVerifyOpenSSL",
}

var generatorNames = []string{"wechatpay-gen", "oapi-codegen", "ogen"}

// write renders the whole summary as Markdown.
func write(rs *runs) string {
	var b strings.Builder
	machine(&b, rs)
	callTable(&b, rs)
	targets(&b, rs)
	parallel(&b, rs)
	generatorTable(&b, rs)
	scaleTable(&b, rs)
	return b.String()
}

func machine(b *strings.Builder, rs *runs) {
	procs := 0
	for _, r := range rs.results {
		procs = max(procs, r.procs)
	}
	fmt.Fprintf(b, "Run of %s on %s (%s/%s), %d CPUs (nproc), GOMAXPROCS %d, %s.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), cpuModel(rs), rs.header["goos"], rs.header["goarch"],
		runtime.NumCPU(), procs, runtime.Version())
}

// cpuModel prefers /proc/cpuinfo, as the issue asks, then go test's cpu line.
func cpuModel(rs *runs) string {
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	if cpu := rs.header["cpu"]; cpu != "" {
		return cpu
	}
	return "an unknown CPU"
}

func callTable(b *strings.Builder, rs *runs) {
	cf, hf := rs.find(benchPkg, "BenchmarkCryptoFloor"), rs.find(benchPkg, "BenchmarkHTTPFloor")
	floorNS, okNS := sum(cf, hf, "ns/op")
	floorAllocs, okAllocs := sum(cf, hf, "allocs/op")
	b.WriteString("### One call\n\n")
	b.WriteString("Medians of the runs; the range is the fastest and slowest run. cpu-ns/op is the CPU time of the\n")
	b.WriteString("process per call (client, loopback server and garbage collector), which waiting does not inflate.\n\n")
	seqNS, okSeq := rs.find(benchPkg, "BenchmarkFloorsInSequence").get("ns/op")
	b.WriteString("| Benchmark | ns/op | range | cpu-ns/op | B/op | allocs/op | ÷ (Crypto + HTTP) | ÷ in sequence | allocs − floors |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, name := range calls {
		r := rs.find(benchPkg, name)
		ns, ok := r.get("ns/op")
		if !ok {
			continue
		}
		by, _ := r.get("B/op")
		allocs, _ := r.get("allocs/op")
		ratio, seq, excess := "", "", ""
		// The ratios are to the crypto/rsa floors: the calls that use
		// crypto/rsa alone; the OpenSSL calls have a target table of their own.
		isCall := name == "BenchmarkFloorsInSequence" || name == "BenchmarkTerminateByCode" || name == "BenchmarkOapiCodegenTerminateByCode"
		if okNS && isCall {
			ratio = fmt.Sprintf("%.3f", ns/floorNS)
		}
		if okSeq && isCall && name != "BenchmarkFloorsInSequence" {
			seq = fmt.Sprintf("%.3f", ns/seqNS)
		}
		if okAllocs && isCall {
			excess = fmt.Sprintf("%+.0f", allocs-floorAllocs)
		}
		lo, hi := spread(r, "ns/op")
		cpu := "–"
		if c, ok := r.get("cpu-ns/op"); ok {
			cpu = fmt.Sprintf("%.0f", c)
		}
		fmt.Fprintf(b, "| %s | %.0f | %s–%s | %s | %.0f | %.0f | %s | %s | %s |\n",
			strings.TrimPrefix(name, "Benchmark"), ns, human(lo), human(hi), cpu, by, allocs, ratio, seq, excess)
	}
	if okNS {
		fmt.Fprintf(b, "\nFloors: CryptoFloor + HTTPFloor = %s and %.0f allocs per call.", human(floorNS), floorAllocs)
		if okSeq {
			fmt.Fprintf(b, " The same two made one after the other in each iteration (FloorsInSequence) take %s, %.3f× their sum.", human(seqNS), seqNS/floorNS)
		}
		b.WriteString("\n")
	}
	if hot, ok := hf.get("ns/op"); ok {
		if after, ok := rs.find(benchPkg, "BenchmarkHTTPFloorAfterWork").get("http-ns/op"); ok {
			fmt.Fprintf(b, "The round trip of HTTPFloor made right after 1 ms of busy work in Go (HTTPFloorAfterWork: no crypto, no cgo, no client code) takes %s, %.2f× the %s it takes in HTTPFloor's tight loop of round trips.\n",
				human(after), after/hot, human(hot))
		}
	}
	if g, o := rs.find(benchPkg, "BenchmarkSignGo"), rs.find(benchPkg, "BenchmarkSignOpenSSL"); g != nil && o != nil {
		gn, _ := g.get("ns/op")
		on, _ := o.get("ns/op")
		fmt.Fprintf(b, "OpenSSL signs %.2f× as fast as crypto/rsa (%s against %s).\n", gn/on, human(on), human(gn))
	}
	b.WriteString("\n")
}

func targets(b *strings.Builder, rs *runs) {
	cf, hf := rs.find(benchPkg, "BenchmarkCryptoFloor"), rs.find(benchPkg, "BenchmarkHTTPFloor")
	t, o := rs.find(benchPkg, "BenchmarkTerminateByCode"), rs.find(benchPkg, "BenchmarkOapiCodegenTerminateByCode")
	_, ok1 := sum(cf, hf, "ns/op")
	floorAllocs, ok2 := sum(cf, hf, "allocs/op")
	tNS, ok3 := t.get("ns/op")
	tAllocs, ok4 := t.get("allocs/op")
	if !(ok1 && ok2 && ok3 && ok4) {
		b.WriteString("(The targets need CryptoFloor, HTTPFloor and TerminateByCode.)\n\n")
		return
	}
	b.WriteString("### Targets (TerminateByCode)\n\n")
	b.WriteString("| Target | Figure | Limit | |\n|---|--:|--:|---|\n")
	row := func(target, figure, limit string, met bool, miss string) {
		verdict := "met"
		if !met {
			verdict = "**missed** " + miss
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", target, figure, limit, verdict)
	}
	floorRows(b, rs, t, cf, hf, "CryptoFloor", "FloorsInSequence", 1.03, row)
	if tc, ok := t.get("cpu-ns/op"); ok {
		if oc, ok := o.get("cpu-ns/op"); ok {
			fmt.Fprintf(b, "| (diagnostic) CPU time ÷ oapi-codegen's | %.3f× | 1.000× | %s |\n", tc/oc, within(tc/oc <= 1))
		}
	}
	limit := floorAllocs + 25
	row("allocs ≤ HTTPFloor + CryptoFloor + 25", fmt.Sprintf("%.0f", tAllocs), fmt.Sprintf("%.0f", limit), tAllocs <= limit,
		fmt.Sprintf("by %.0f", tAllocs-limit))
	if oNS, ok := o.get("ns/op"); ok {
		oAllocs, _ := o.get("allocs/op")
		row("at least as fast as oapi-codegen", fmt.Sprintf("%.3f×", tNS/oNS), "1.000×", tNS <= oNS,
			fmt.Sprintf("by %.1f%%", (tNS/oNS-1)*100))
		row("fewer allocs than oapi-codegen", fmt.Sprintf("%.0f", tAllocs), fmt.Sprintf("< %.0f", oAllocs), tAllocs < oAllocs,
			fmt.Sprintf("by %.0f", tAllocs-oAllocs+1))
	}
	if s, ok := rs.find(benchPkg, "BenchmarkTerminateByCodeOpenSSL").get("ns/op"); ok {
		fmt.Fprintf(b, "\nWith the key in OpenSSL a call takes %s, %.2f× as fast as with crypto/rsa.\n", human(s), tNS/s)
	}
	b.WriteString("\n")
	opensslTargets(b, rs, row)
}

// opensslTargets is the target of a call with OpenSSL on both sides: at most
// 1.10 × (CryptoFloorOpenSSL + HTTPFloor), the OpenSSL signature and
// verification alone plus the HTTP round trip alone, measured in the same
// run; with the same diagnostics as the crypto/rsa call.
func opensslTargets(b *strings.Builder, rs *runs, row func(target, figure, limit string, met bool, miss string)) {
	cf, hf := rs.find(benchPkg, "BenchmarkCryptoFloorOpenSSL"), rs.find(benchPkg, "BenchmarkHTTPFloor")
	t := rs.find(benchPkg, "BenchmarkTerminateByCodeOpenSSLVerify")
	_, ok1 := sum(cf, hf, "ns/op")
	_, ok2 := t.get("ns/op")
	if !ok1 || !ok2 {
		return
	}
	b.WriteString("### Target (TerminateByCodeOpenSSLVerify: OpenSSL signs and verifies)\n\n")
	b.WriteString("| Target | Figure | Limit | |\n|---|--:|--:|---|\n")
	floorRows(b, rs, t, cf, hf, "CryptoFloorOpenSSL", "FloorsInSequenceOpenSSL", 1.10, row)
	b.WriteString("\n")
}

// floorRows writes the time target of the call t, at most limit × (crypto +
// HTTPFloor) (cf and hf, the floors, measured in the same run), and its
// diagnostics: the time against the floors made in sequence (the benchmark
// named sequence), and both in CPU time.
func floorRows(b *strings.Builder, rs *runs, t, cf, hf *result, crypto, sequence string, limit float64, row func(target, figure, limit string, met bool, miss string)) {
	tNS, _ := t.get("ns/op")
	floorNS, _ := sum(cf, hf, "ns/op")
	r := tNS / floorNS
	lim := fmt.Sprintf("%.3f×", limit)
	row(fmt.Sprintf("time ≤ %.2f × (%s + HTTPFloor)", limit, crypto), fmt.Sprintf("%.3f×", r), lim, r <= limit,
		fmt.Sprintf("by %.1f%%", (r-limit)*100))
	seq := rs.find(benchPkg, "Benchmark"+sequence)
	if sNS, ok := seq.get("ns/op"); ok {
		fmt.Fprintf(b, "| (diagnostic) time ÷ %s | %.3f× | %s | %s |\n", sequence, tNS/sNS, lim, within(tNS/sNS <= limit))
	}
	if after, ok := rs.find(benchPkg, "BenchmarkHTTPFloorAfterWork").get("http-ns/op"); ok {
		if cNS, ok := cf.get("ns/op"); ok {
			floors := cNS + after
			fmt.Fprintf(b, "| (diagnostic) (%s + the round trip of HTTPFloorAfterWork) ÷ (%s + HTTPFloor): no client code | %.3f× | %s | %s |\n",
				crypto, crypto, floors/floorNS, lim, within(floors/floorNS <= limit))
			fmt.Fprintf(b, "| (diagnostic) time ÷ (%s + the round trip of HTTPFloorAfterWork) | %.3f× | %s | %s |\n",
				crypto, tNS/floors, lim, within(tNS/floors <= limit))
		}
	}
	if tc, ok := t.get("cpu-ns/op"); ok {
		if fc, ok := sum(cf, hf, "cpu-ns/op"); ok {
			fmt.Fprintf(b, "| (diagnostic) CPU time ÷ (%s + HTTPFloor) CPU time | %.3f× | %s | %s |\n", crypto, tc/fc, lim, within(tc/fc <= limit))
		}
		if sc, ok := seq.get("cpu-ns/op"); ok {
			fmt.Fprintf(b, "| (diagnostic) CPU time ÷ %s CPU time | %.3f× | %s | %s |\n", sequence, tc/sc, lim, within(tc/sc <= limit))
		}
	}
}

func parallel(b *strings.Builder, rs *runs) {
	header := false
	for _, name := range calls {
		s, p := rs.find(benchPkg, name), rs.find(benchPkg, name+"Parallel")
		sn, ok1 := s.get("ns/op")
		pn, ok2 := p.get("ns/op")
		if !ok1 || !ok2 {
			continue
		}
		if !header {
			fmt.Fprintf(b, "### One shared client on %d cores (b.RunParallel)\n\n", p.procs)
			b.WriteString("Speed-up is serial ns/op ÷ parallel ns/op; the ideal is the number of cores.\n\n")
			b.WriteString("| Benchmark | serial | parallel | speed-up | allocs/op |\n|---|--:|--:|--:|--:|\n")
			header = true
		}
		allocs, _ := p.get("allocs/op")
		fmt.Fprintf(b, "| %s | %s | %s | %.2f× | %.0f |\n", strings.TrimPrefix(name, "Benchmark"), human(sn), human(pn), sn/pn, allocs)
	}
	if header {
		b.WriteString("\n")
	}
}

// sizes returns the operation counts the generator benchmarks ran, in order.
func sizes(rs *runs, prefix string) []int {
	var ns []int
	for _, r := range rs.results {
		rest, ok := strings.CutPrefix(r.name, prefix+"/ops=")
		if !ok || r.pkg != genPkg {
			continue
		}
		n, err := strconv.Atoi(strings.Split(rest, "/")[0])
		if err == nil && !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	return ns
}

func generatorTable(b *strings.Builder, rs *runs) {
	ns := sizes(rs, "BenchmarkGenerate")
	if len(ns) == 0 {
		return
	}
	b.WriteString("### Generators\n\n")
	b.WriteString("Generation: the built binary run on the spec. Compilation: `go build` of the generated package alone, its dependencies cached")
	if o, ok := rs.find(genPkg, "BenchmarkCompile/go-build-overhead").get("ns/op"); ok {
		fmt.Fprintf(b, " (of which %s is the go command itself: `go build` of a cached package)", human(o))
	}
	b.WriteString(". Ratios are against wechatpay-gen.\n\n")
	b.WriteString("| ops | generator | generate | ÷ ours | lines | compile | ÷ ours | notes |\n|--:|---|--:|--:|--:|--:|--:|---|\n")
	for _, n := range ns {
		ourGen, _ := rs.find(genPkg, fmt.Sprintf("BenchmarkGenerate/ops=%d/wechatpay-gen", n)).get("ns/op")
		ourComp, _ := rs.find(genPkg, fmt.Sprintf("BenchmarkCompile/ops=%d/wechatpay-gen", n)).get("ns/op")
		for _, g := range generatorNames {
			gen := rs.find(genPkg, fmt.Sprintf("BenchmarkGenerate/ops=%d/%s", n, g))
			comp := rs.find(genPkg, fmt.Sprintf("BenchmarkCompile/ops=%d/%s", n, g))
			var notes []string
			if gen != nil && gen.skipped {
				notes = append(notes, "refused: "+strings.Join(gen.notes, " "))
			}
			if v, ok := gen.get("refused-as-is"); ok && v > 0 {
				reason := "refuses the spec as is"
				for _, note := range gen.notes {
					if _, after, ok := strings.Cut(note, "refuses the spec as is: "); ok {
						reason += " (" + after + ")"
					}
				}
				notes = append(notes, reason)
			}
			if v, ok := gen.get("skipped-ops"); ok && v > 0 {
				notes = append(notes, fmt.Sprintf("skipped %.0f of %d operations", v, n))
			}
			gn, gok := gen.get("ns/op")
			cn, cok := comp.get("ns/op")
			lines, _ := gen.get("lines")
			fmt.Fprintf(b, "| %d | %s | %s | %s | %.0f | %s | %s | %s |\n", n, g,
				opt(gok, human(gn)), opt(gok && ourGen > 0, fmt.Sprintf("%.2f", gn/ourGen)), lines,
				opt(cok, human(cn)), opt(cok && ourComp > 0, fmt.Sprintf("%.2f", cn/ourComp)), strings.Join(notes, "; "))
		}
	}
	b.WriteString("\n")
}

// scalePoints returns, for the probes of each spec size, the median of unit
// of benchmark name.
func scalePoints(rs *runs, name, unit string) (xs, ys []float64) {
	type pt struct{ x, y float64 }
	var pts []pt
	for _, r := range rs.results {
		rest, ok := strings.CutPrefix(r.pkg, scalePkg)
		if !ok || r.name != name {
			continue
		}
		n, err := strconv.Atoi(rest)
		if v, ok := r.get(unit); err == nil && ok {
			pts = append(pts, pt{float64(n), v})
		}
	}
	slices.SortFunc(pts, func(a, b pt) int { return int(a.x - b.x) })
	for _, p := range pts {
		xs, ys = append(xs, p.x), append(ys, p.y)
	}
	return xs, ys
}

func scaleTable(b *strings.Builder, rs *runs) {
	xs, ours := scalePoints(rs, "BenchmarkTerminateByCode", "ns/op")
	if len(xs) == 0 {
		return
	}
	_, oursAllocs := scalePoints(rs, "BenchmarkTerminateByCode", "allocs/op")
	ox, oapi := scalePoints(rs, "BenchmarkOapiCodegenTerminateByCode", "ns/op")
	_, oapiAllocs := scalePoints(rs, "BenchmarkOapiCodegenTerminateByCode", "allocs/op")
	b.WriteString("### Cost per call against the size of the generated package\n\n")
	b.WriteString("The terminate call of the clients generated from each spec size (cmd/scaleprobe).\n\n")
	b.WriteString("| ops | wechatpay-gen ns/op | allocs/op | oapi-codegen ns/op | allocs/op |\n|--:|--:|--:|--:|--:|\n")
	for i, x := range xs {
		on, oa := "", ""
		if j := slices.Index(ox, x); j >= 0 {
			on, oa = fmt.Sprintf("%.0f", oapi[j]), fmt.Sprintf("%.0f", oapiAllocs[j])
		}
		fmt.Fprintf(b, "| %.0f | %.0f | %.0f | %s | %s |\n", x, ours[i], oursAllocs[i], on, oa)
	}
	b.WriteString("\n")
}

func within(ok bool) string {
	if ok {
		return "within"
	}
	return "above"
}

func sum(a, b *result, unit string) (float64, bool) {
	x, ok1 := a.get(unit)
	y, ok2 := b.get(unit)
	return x + y, ok1 && ok2
}

func spread(r *result, unit string) (lo, hi float64) {
	v := r.values[unit]
	return slices.Min(v), slices.Max(v)
}

func opt(ok bool, s string) string {
	if !ok {
		return "–"
	}
	return s
}

// human writes nanoseconds with a unit a reader takes in at a glance.
func human(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.3f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
