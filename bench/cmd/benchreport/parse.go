package main

import (
	"bufio"
	"io"
	"slices"
	"strconv"
	"strings"
)

// result is one benchmark of one package, its figures by unit (ns/op,
// B/op, allocs/op and custom metrics): one value per run with -count.
type result struct {
	pkg, name string
	procs     int
	values    map[string][]float64
	notes     []string // log lines, such as why a peer refused a spec
	skipped   bool
}

// get returns the median of the runs' values of unit, and whether any run
// reported it.
func (r *result) get(unit string) (float64, bool) {
	if r == nil {
		return 0, false
	}
	v := slices.Clone(r.values[unit])
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2], true
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, true
}

// runs is the parsed output of go test -bench: the results and the header
// lines (cpu, goos, …) as they came.
type runs struct {
	results []*result
	byKey   map[string]*result
	header  map[string]string
}

func key(pkg, name string) string { return pkg + " " + name }

// find returns the result of name in the package whose path ends in pkg.
func (rs *runs) find(pkg, name string) *result {
	for _, r := range rs.results {
		if r.name == name && (r.pkg == pkg || strings.HasSuffix(r.pkg, "/"+pkg)) {
			return r
		}
	}
	return nil
}

// parse reads the output of one or more go test -bench runs.
func parse(in io.Reader) (*runs, error) {
	rs := &runs{byKey: map[string]*result{}, header: map[string]string{}}
	pkg := ""
	var last *result // the benchmark the indented log lines belong to
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
		case strings.HasPrefix(line, "goos: "), strings.HasPrefix(line, "goarch: "), strings.HasPrefix(line, "cpu: "):
			k, v, _ := strings.Cut(line, ": ")
			rs.header[k] = v
		case strings.HasPrefix(line, "--- BENCH: "), strings.HasPrefix(line, "--- SKIP: "):
			name, procs := splitProcs(strings.Fields(line)[2])
			last = rs.get(pkg, name, procs)
			last.skipped = last.skipped || strings.HasPrefix(line, "--- SKIP: ")
		case strings.HasPrefix(line, "    ") && last != nil:
			note := strings.TrimSpace(line)
			if _, msg, ok := strings.Cut(note, ".go:"); ok {
				// Drop the file:line prefix the testing package adds.
				if _, after, ok := strings.Cut(msg, ": "); ok {
					note = after
				}
			}
			if note != "" && !slices.Contains(last.notes, note) {
				last.notes = append(last.notes, note)
			}
		case strings.HasPrefix(line, "Benchmark"):
			f := strings.Fields(line)
			if len(f) < 4 || len(f)%2 != 0 {
				last = nil
				continue
			}
			if _, err := strconv.Atoi(f[1]); err != nil {
				continue
			}
			name, procs := splitProcs(f[0])
			r := rs.get(pkg, name, procs)
			for i := 2; i+1 < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					continue
				}
				r.values[f[i+1]] = append(r.values[f[i+1]], v)
			}
			last = nil
		default:
			last = nil
		}
	}
	return rs, sc.Err()
}

func (rs *runs) get(pkg, name string, procs int) *result {
	k := key(pkg, name)
	if r, ok := rs.byKey[k]; ok {
		return r
	}
	r := &result{pkg: pkg, name: name, procs: procs, values: map[string][]float64{}}
	rs.byKey[k] = r
	rs.results = append(rs.results, r)
	return r
}

// splitProcs splits BenchmarkX/sub-2 into BenchmarkX/sub and 2.
func splitProcs(s string) (string, int) {
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return s, 1
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return s, 1
	}
	return s[:i], n
}
