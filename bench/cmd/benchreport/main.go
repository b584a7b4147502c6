// Command benchreport reads the output of the benchmark runs of `make bench`
// (go test -bench, any number of packages and -count runs), prints the ratio
// tables as Markdown, draws the plot as SVG and, with -doc, puts the tables
// into BENCHMARKS.md between its bench:begin and bench:end markers:
//
//	go run ./cmd/benchreport -svg benchmarks.svg -doc ../BENCHMARKS.md out/calls.txt out/generators.txt out/scale.txt
//
// It uses the standard library only.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const (
	beginMarker = "<!-- bench:begin (written by bench/cmd/benchreport; edits here are lost) -->"
	endMarker   = "<!-- bench:end -->"
)

func main() {
	svg := flag.String("svg", "", "write the plot to this file")
	doc := flag.String("doc", "", "replace the text between the markers of this Markdown file with the tables")
	flag.Parse()
	if err := run(flag.Args(), *svg, *doc, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(files []string, svgFile, docFile string, stdout io.Writer) error {
	var in bytes.Buffer
	if len(files) == 0 {
		if _, err := io.Copy(&in, os.Stdin); err != nil {
			return err
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		in.Write(b)
	}
	rs, err := parse(&in)
	if err != nil {
		return err
	}
	if len(rs.results) == 0 {
		return errors.New("no benchmark results in the input")
	}
	tables := write(rs)
	if _, err := io.WriteString(stdout, tables); err != nil {
		return err
	}
	if svgFile != "" {
		if err := os.WriteFile(svgFile, []byte(plot(rs)), 0o644); err != nil {
			return err
		}
	}
	if docFile != "" {
		return updateDoc(docFile, tables)
	}
	return nil
}

// updateDoc replaces what lies between the markers of file with text.
func updateDoc(file, text string) error {
	doc, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	begin := bytes.Index(doc, []byte(beginMarker))
	end := bytes.Index(doc, []byte(endMarker))
	if begin < 0 || end < begin {
		return fmt.Errorf("%s: no %q … %q markers", file, beginMarker, endMarker)
	}
	var out bytes.Buffer
	out.Write(doc[:begin+len(beginMarker)])
	out.WriteString("\n\n")
	out.WriteString(text)
	out.Write(doc[end:])
	return os.WriteFile(file, out.Bytes(), 0o644)
}
