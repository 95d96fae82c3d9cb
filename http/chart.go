package http

import (
	"fmt"
	"html/template"
	"strings"
	"time"
)

// Charts are drawn here as SVG, in the page: no script, no other host,
// colours as attributes (the pages' policy allows no inline style).

// ageChart draws how many open requests are how many days old, one bar a
// day up to max (the last bar holds the older ones), with the deadline as
// a vertical line at deadline days; title and axis name it for a screen
// reader.
func ageChart(ages []int, days, deadline int, title, axis string) template.HTML {
	counts := make([]int, days+1)
	top := 1
	for _, a := range ages {
		a = min(a, days)
		if a < 0 {
			a = 0
		}
		counts[a]++
		top = max(top, counts[a])
	}
	const w, h, left, bottom, barW = 660, 200, 30, 24, 18
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">`, w, h)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`, template.HTMLEscapeString(title))
	plotH := h - bottom - 10
	for day, n := range counts {
		x := left + day*(barW+2)
		barH := n * plotH / top
		fill := "#4f7cac"
		if day > deadline {
			fill = "#c2410c"
		}
		if n > 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%d: %d</title></rect>`, x, h-bottom-barH, barW, barH, fill, day, n)
		}
		if day%5 == 0 {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#57606a">%d</text>`, x, h-8, day)
		}
	}
	lineX := left + deadline*(barW+2) + barW + 1
	fmt.Fprintf(&b, `<line x1="%d" y1="4" x2="%d" y2="%d" stroke="#b42318" stroke-width="2" stroke-dasharray="4 3"/>`, lineX, lineX, h-bottom)
	fmt.Fprintf(&b, `<text x="%d" y="14" font-size="11" fill="#b42318">%d</text>`, lineX+4, deadline)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#57606a">%d</text>`, 2, 14, top)
	fmt.Fprintf(&b, `<text x="%d" y="14" font-size="11" fill="#57606a" text-anchor="end">%s →</text>`, w-4, template.HTMLEscapeString(axis))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// chartSeries is one named row of daily counts, one value a day.
type chartSeries struct {
	Name   string
	Values []int
}

// seriesColours tell the series of a daily chart apart; the legend names
// them in the same order.
var seriesColours = []string{"#4f7cac", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#0e7490", "#be185d", "#4d7c0f"}

// dailyChart draws counts per day as grouped bars, one group a day from
// the first day on and one bar per series, with a legend; id makes the
// title's id unique on a page with several charts.
func dailyChart(id, title string, first time.Time, series []chartSeries) template.HTML {
	days := 0
	top := 1
	for _, s := range series {
		days = max(days, len(s.Values))
		for _, v := range s.Values {
			top = max(top, v)
		}
	}
	const w, h, left, bottom, legend = 660, 220, 30, 24, 16
	slot := max((w-left-10)/max(days, 1), 4)
	barW := max((slot-2)/max(len(series), 1), 1)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title" xmlns="http://www.w3.org/2000/svg">`, w, h+legend*len(series), id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, template.HTMLEscapeString(title))
	plotH := h - bottom - 10
	for i, s := range series {
		colour := seriesColours[i%len(seriesColours)]
		for day, n := range s.Values {
			if n == 0 {
				continue
			}
			barH := max(n*plotH/top, 1)
			x := left + day*slot + i*barW
			label := first.AddDate(0, 0, day).Format("2006-01-02")
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %s: %d</title></rect>`,
				x, h-bottom-barH, barW, barH, colour, template.HTMLEscapeString(s.Name), label, n)
		}
		y := h + legend*i + 12
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" font-size="11" fill="#24292f">%s</text>`,
			left, y-9, colour, left+14, y, template.HTMLEscapeString(s.Name))
	}
	for day := 0; day < days; day += 7 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#57606a">%s</text>`, left+day*slot, h-8, first.AddDate(0, 0, day).Format("01-02"))
	}
	fmt.Fprintf(&b, `<text x="2" y="14" font-size="11" fill="#57606a">%d</text>`, top)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
