package http

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// TestAgeChart: one bar per day that has requests, older ones in the last
// bar, past the deadline in the warning colour, the deadline drawn, and
// the result well-formed SVG with a title.
func TestAgeChart(t *testing.T) {
	svg := string(ageChart([]int{0, 0, 3, 20, 45}, 30, 15, "Open <requests>", "days"))
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	if n := strings.Count(svg, "<rect"); n != 4 { // days 0, 3, 20 and 30+
		t.Errorf("%d bars, want 4", n)
	}
	if n := strings.Count(svg, `fill="#c2410c"`); n != 2 { // 20 and 30+
		t.Errorf("%d bars past the deadline, want 2", n)
	}
	if !strings.Contains(svg, "<title>0: 2</title>") || !strings.Contains(svg, "<title>30: 1</title>") {
		t.Error("the bars do not say their day and count")
	}
	if !strings.Contains(svg, "<line") || !strings.Contains(svg, "Open &lt;requests&gt;") {
		t.Error("no deadline line, or the title is not escaped")
	}
}

// TestDailyChart: one bar per series per day with a count, each saying
// its series, day and count; a legend per series; well-formed SVG whose
// title's id is the one given.
func TestDailyChart(t *testing.T) {
	first := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	svg := string(dailyChart("c1", "Per <day>", first, []chartSeries{{"granted", []int{0, 2, 0}}, {"withdrawn", []int{1, 0, 0}}}))
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	if n := strings.Count(svg, "<rect"); n != 4 { // two bars, two legend keys
		t.Errorf("%d rects, want 4", n)
	}
	for _, want := range []string{"<title>granted 2026-03-02: 2</title>", "<title>withdrawn 2026-03-01: 1</title>", `id="c1-title"`, "Per &lt;day&gt;"} {
		if !strings.Contains(svg, want) {
			t.Errorf("lacks %s", want)
		}
	}
}
