package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// series is one line of a panel.
type series struct {
	name   string
	color  string
	dashed bool
	xs, ys []float64
}

// panel is one chart: a title, a y unit and its lines against operations.
type panel struct {
	title, unit string
	scale       float64 // divides the values (ns) into the unit
	lines       []series
}

var colors = map[string]string{
	"wechatpay-gen": "#1f77b4",
	"oapi-codegen":  "#ff7f0e",
	"ogen":          "#2ca02c",
	"floors":        "#7f7f7f",
	"sequence":      "#9467bd",
}

// plot draws cost per call, generation time and compile time against the
// number of operations, side by side.
func plot(rs *runs) string {
	var panels []panel
	var call []series
	for _, s := range []struct{ gen, bench string }{
		{"wechatpay-gen", "BenchmarkTerminateByCode"},
		{"oapi-codegen", "BenchmarkOapiCodegenTerminateByCode"},
	} {
		xs, ys := scalePoints(rs, s.bench, "ns/op")
		if len(xs) > 0 {
			call = append(call, series{name: s.gen, color: colors[s.gen], xs: xs, ys: ys})
		}
	}
	if len(call) > 0 {
		xs := call[0].xs
		flat := func(name, color string, y float64) series {
			return series{name: name, color: color, dashed: true, xs: []float64{xs[0], xs[len(xs)-1]}, ys: []float64{y, y}}
		}
		if f, ok := rs.find(benchPkg, "BenchmarkFloorsInSequence").get("ns/op"); ok {
			call = append(call, flat("floors in sequence", colors["sequence"], f))
		}
		if f, ok := sum(rs.find(benchPkg, "BenchmarkCryptoFloor"), rs.find(benchPkg, "BenchmarkHTTPFloor"), "ns/op"); ok {
			call = append(call, flat("Crypto + HTTP floors", colors["floors"], f))
		}
	}
	panels = append(panels, panel{title: "Cost per call", unit: "ms", scale: 1e6, lines: call})
	for _, p := range []struct{ title, bench string }{
		{"Generation time", "BenchmarkGenerate"},
		{"Compile time", "BenchmarkCompile"},
	} {
		pl := panel{title: p.title, unit: "s", scale: 1e9}
		for _, g := range generatorNames {
			s := series{name: g, color: colors[g]}
			for _, n := range sizes(rs, p.bench) {
				if v, ok := rs.find(genPkg, fmt.Sprintf("%s/ops=%d/%s", p.bench, n, g)).get("ns/op"); ok {
					s.xs, s.ys = append(s.xs, float64(n)), append(s.ys, v)
				}
			}
			if len(s.xs) > 0 {
				pl.lines = append(pl.lines, s)
			}
		}
		panels = append(panels, pl)
	}

	// One x range for all panels, so that they line up.
	xmax := 0.0
	for _, p := range panels {
		for _, l := range p.lines {
			for _, x := range l.xs {
				xmax = math.Max(xmax, x)
			}
		}
	}
	const pw, ph = 320, 300
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n",
		pw*len(panels), ph, pw*len(panels), ph)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	for i, p := range panels {
		drawPanel(&b, float64(i*pw), pw, ph, xmax, p)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func drawPanel(b *strings.Builder, x0, w, h, xmax float64, p panel) {
	const left, right, top, bottom = 52, 12, 28, 62
	pw, ph := w-left-right, h-top-bottom
	fmt.Fprintf(b, `<text x="%.0f" y="18" font-size="13" font-weight="bold">%s (%s)</text>`+"\n", x0+left, esc(p.title), esc(p.unit))
	ymax := 0.0
	for _, s := range p.lines {
		for _, y := range s.ys {
			ymax = math.Max(ymax, y/p.scale)
		}
	}
	if xmax == 0 || ymax == 0 {
		fmt.Fprintf(b, `<text x="%.0f" y="%.0f">no data</text>`+"\n", x0+left, top+ph/2)
		return
	}
	xstep, ystep := niceStep(xmax), niceStep(ymax)
	xmax, ymax = math.Ceil(xmax/xstep)*xstep, math.Ceil(ymax*1.05/ystep)*ystep
	px := func(x float64) float64 { return x0 + left + x/xmax*pw }
	py := func(y float64) float64 { return top + ph - y/ymax*ph }
	for y := 0.0; y <= ymax+ystep/2; y += ystep {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e0e0e0"/>`+"\n", px(0), py(y), px(xmax), py(y))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", px(0)-4, py(y)+4, trim(y))
	}
	for x := 0.0; x <= xmax+xstep/2; x += xstep {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", px(x), py(0)+14, trim(x))
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>`+"\n", px(0), py(0), px(xmax), py(0))
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>`+"\n", px(0), py(0), px(0), py(ymax))
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">operations in the spec</text>`+"\n", px(xmax/2), py(0)+28)
	for i, s := range p.lines {
		var pts []string
		for j := range s.xs {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(s.xs[j]), py(s.ys[j]/p.scale)))
		}
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="5,4"`
		}
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), s.color, dash)
		if !s.dashed {
			for _, pt := range pts {
				xy := strings.Split(pt, ",")
				fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", xy[0], xy[1], s.color)
			}
		}
		lx, ly := x0+left+float64(i%2)*pw/2, h-18+float64(i/2)*14-4
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`+"\n", lx, ly-4, lx+16, ly-4, s.color, dash)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", lx+20, ly, esc(s.name))
	}
}

// niceStep returns a step of 1, 2 or 5 times a power of ten that cuts max
// into about four intervals.
func niceStep(max float64) float64 {
	raw := max / 4
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return m * pow
		}
	}
	return 10 * pow
}

func trim(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func esc(s string) string { return html.EscapeString(s) }
