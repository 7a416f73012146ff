package benchpage

import (
	"fmt"
	"math"
	"strings"
)

// The chart's layout, in pixels.
const (
	svgWidth   = 880
	labelWidth = 250 // bar labels, right-aligned at this x
	plotLeft   = labelWidth + 10
	plotRight  = svgWidth - 60 // room for the last ratio's label
	barHeight  = 14
	barGap     = 4
	groupGap   = 10
	headHeight = 18 // a row's heading
	topMargin  = 64 // title and legend
	axisHeight = 30
)

// Colours of the kinds of figure.
var kindColour = map[string]string{
	KindDirect:   "#4c78a8",
	KindLowered:  "#f58518",
	KindBaseline: "#9d9d9d",
}

// SVG renders the chart: for every row, a horizontal bar per Go figure
// from 1× (CPython) to its ratio, on a log scale. A page without CPython
// figures gets a chart that says so instead of bars.
func (p *Page) SVG() string {
	type bar struct {
		label, kind string
		ratio       float64
	}
	type group struct {
		work string
		bars []bar
	}
	var groups []group
	lo, hi := 1.0, 1.0
	for _, row := range p.Rows {
		r := p.resolve(row)
		g := group{work: stripMarkdown(r.Work)}
		for _, f := range append([]figure{r.Direct, r.Lowered}, r.Baselines...) {
			if f.Ratio <= 0 {
				continue
			}
			label := f.Kind
			if f.Kind == KindBaseline {
				label = stripMarkdown(f.Label)
			}
			g.bars = append(g.bars, bar{label, f.Kind, f.Ratio})
			lo, hi = math.Min(lo, f.Ratio), math.Max(hi, f.Ratio)
		}
		if len(g.bars) > 0 {
			groups = append(groups, g)
		}
	}

	height := topMargin + axisHeight + 20
	for _, g := range groups {
		height += headHeight + len(g.bars)*(barHeight+barGap) + groupGap
	}
	if len(groups) == 0 {
		height = topMargin + 60
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", svgWidth, height, svgWidth, height)
	fmt.Fprintf(&b, `<title>asyncgo and Go against CPython: CPython's figure divided by each (log scale)</title>`+"\n")
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", svgWidth, height)
	fmt.Fprintf(&b, `<text x="10" y="22" font-size="15" font-weight="bold">CPython's figure ÷ each (log scale): right of 1× is faster or smaller than CPython</text>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="40" fill="#555555">%s</text>`+"\n", escape(p.caption()))
	x := 10
	for _, k := range []string{KindDirect, KindLowered, KindBaseline} {
		fmt.Fprintf(&b, `<rect x="%d" y="48" width="12" height="12" fill="%s"/><text x="%d" y="58">%s</text>`+"\n", x, kindColour[k], x+16, escape(k))
		x += 16 + 8*len(k) + 20
	}
	if len(groups) == 0 {
		fmt.Fprintf(&b, `<text x="10" y="%d" font-size="14">n/a: no CPython figures in this run, so no ratios to chart</text>`+"\n", topMargin+30)
		b.WriteString("</svg>\n")
		return b.String()
	}

	// The scale: whole decades around every ratio and 1×.
	lo = math.Pow(10, math.Floor(math.Log10(lo)))
	hi = math.Pow(10, math.Ceil(math.Log10(hi)))
	if hi <= lo {
		hi = lo * 10
	}
	xOf := func(r float64) float64 {
		return plotLeft + (math.Log10(r)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))*(plotRight-plotLeft)
	}
	plotTop, plotBottom := topMargin+8, height-axisHeight-12
	for d := lo; d <= hi*1.0001; d *= 10 {
		colour, w := "#dddddd", 1
		if math.Abs(d-1) < 1e-9 {
			colour, w = "#333333", 2
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="%d"/>`+"\n", xOf(d), plotTop, xOf(d), plotBottom, colour, w)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#333333">%s</text>`+"\n", xOf(d), plotBottom+16, axisLabel(d))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#333333">1× = CPython</text>`+"\n", xOf(1), plotBottom+30)

	y := topMargin + 12
	one := xOf(1)
	for _, g := range groups {
		fmt.Fprintf(&b, `<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", y+12, escape(g.work))
		y += headHeight
		for _, bar := range g.bars {
			x1, x2 := one, xOf(bar.ratio)
			anchor, tx := "start", x2+4
			if x2 < x1 {
				x1, x2 = x2, x1
				anchor, tx = "end", x1-4
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelWidth, y+barHeight-3, escape(bar.label))
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s, %s: %s CPython</title></rect>`+"\n",
				x1, y, math.Max(x2-x1, 1), barHeight, kindColour[bar.kind], escape(g.work), escape(bar.label), formatRatio(bar.ratio))
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="%s">%s</text>`+"\n", tx, y+barHeight-3, anchor, formatRatio(bar.ratio))
			y += barHeight + barGap
		}
		y += groupGap
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// caption is the chart's second line: the run it shows.
func (p *Page) caption() string {
	m := p.Meta
	py := p.Py.Version
	if py == "" {
		py = "n/a"
	}
	s := fmt.Sprintf("One run, %s: %s, %d cores, %s, CPython %s", m.Date.UTC().Format("2006-01-02"), orNA(m.CPU), m.Cores, orNA(m.GoVersion), py)
	if m.Cores > 0 && m.LoadBefore/float64(m.Cores) > BusyLoad {
		s += ", under load"
	}
	return s
}

// axisLabel renders a decade: 0.01×, 0.1×, 1×, 10×, 100×.
func axisLabel(d float64) string {
	return fmt.Sprintf("%g×", d)
}

// stripMarkdown removes the backquotes of inline code.
func stripMarkdown(s string) string { return strings.ReplaceAll(s, "`", "") }

// escape escapes text for XML.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
