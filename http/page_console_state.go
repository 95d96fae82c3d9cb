package http

import (
	"html/template"
	nethttp "net/http"
	"time"

	"minimall/partner"
	"minimall/privacy"
	"minimall/privacy/policy"
)

// The console's read-only views of what the registry generates and of
// counts over time: the PI lists, disclosures per partner and consents per
// feature, charts drawn here as SVG. Counts only, never a person.

func (s *Server) registerConsoleStatePages() {
	s.handlePage("GET /console/lists", s.pageConsoleLists)
	if s.Partners != nil {
		s.handlePage("GET /console/sharing", s.pageConsoleSharing)
	}
	if s.Kernel != nil {
		s.handlePage("GET /console/consents", s.pageConsoleConsents)
	}
}

// chartDays is how many days the console's daily charts cover.
const chartDays = 30

type consoleListsData struct {
	Lists policy.Lists
}

// pageConsoleLists handles "GET /console/lists": the PI collection list
// and the sharing list, generated from the registry as GET
// /api/v1/policy/lists answers them.
func (s *Server) pageConsoleLists(w nethttp.ResponseWriter, r *nethttp.Request) {
	if _, ok := s.operatorPage(w, r); !ok {
		return
	}
	d := consoleListsData{Lists: policy.Lists{Collection: policy.CollectionList(), Sharing: policy.SharingList()}}
	s.render(w, r, nethttp.StatusOK, "console_lists", "console.lists", d)
}

// dayRow is one day's counts in a console table.
type dayRow struct {
	Day    time.Time
	Counts []int
}

type consoleDailyData struct {
	Names []string // the table's columns after the day
	Rows  []dayRow // days with any count, newest first
	Chart template.HTML
	Days  int
}

// daily lays series out by day from first: the chart and the table of
// the days that have a count.
func daily(id, title string, first time.Time, names []string, series []chartSeries) consoleDailyData {
	d := consoleDailyData{Names: names, Chart: dailyChart(id, title, first, series), Days: chartDays}
	for day := chartDays - 1; day >= 0; day-- {
		row := dayRow{Day: first.AddDate(0, 0, day)}
		has := false
		for _, s := range series {
			row.Counts = append(row.Counts, s.Values[day])
			has = has || s.Values[day] > 0
		}
		if has {
			d.Rows = append(d.Rows, row)
		}
	}
	return d
}

// firstChartDay is the first day (UTC) of the console's daily charts.
func (s *Server) firstChartDay() time.Time {
	now := s.Clock.Now().UTC()
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(chartDays - 1))
}

// dayIndex returns day's place in a chart starting at first, or false.
func dayIndex(first, day time.Time) (int, bool) {
	i := int(day.Sub(first).Hours() / 24)
	return i, i >= 0 && i < chartDays
}

// pageConsoleSharing handles "GET /console/sharing": how many disclosures
// each partner received per day over the last 30 days, from the sharing
// records (三(一)), as a chart and a table.
func (s *Server) pageConsoleSharing(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok {
		return
	}
	first := s.firstChartDay()
	counts, err := s.Partners.DailyCounts(r.Context(), a, first)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "console_sharing", "console.sharing", partnerDaily(first, counts, langOf(r)))
}

// partnerDaily puts the partners' daily counts in one series a partner,
// in the registry's order.
func partnerDaily(first time.Time, counts []partner.DayCount, l lang) consoleDailyData {
	var names []string
	var series []chartSeries
	for _, p := range privacy.Partners() {
		sr := chartSeries{Name: p.Name, Values: make([]int, chartDays)}
		if l == en {
			sr.Name = p.NameEN
		}
		seen := false
		for _, c := range counts {
			if i, ok := dayIndex(first, c.Day); ok && c.Partner == p.ID {
				sr.Values[i], seen = sr.Values[i]+c.Count, true
			}
		}
		if seen {
			names, series = append(names, sr.Name), append(series, sr)
		}
	}
	return daily("sharing", message("console.sharing.chart", l), first, names, series)
}

type consoleConsentsData struct {
	Features []consentFeature
}

// consentFeature is one feature's grants and withdrawals per day.
type consentFeature struct {
	Name string
	consoleDailyData
}

// pageConsoleConsents handles "GET /console/consents": the grants and
// withdrawals of each feature's consent per day over the last 30 days,
// from the consent ledger; counts only.
func (s *Server) pageConsoleConsents(w nethttp.ResponseWriter, r *nethttp.Request) {
	if _, ok := s.operatorPage(w, r); !ok {
		return
	}
	first := s.firstChartDay()
	counts, err := s.Kernel.Consents.DailyCounts(r.Context(), first)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	l := langOf(r)
	names := []string{message("console.consents.grants", l), message("console.consents.withdrawals", l)}
	var d consoleConsentsData
	for _, f := range privacy.Features() {
		grants := chartSeries{Name: names[0], Values: make([]int, chartDays)}
		withdrawals := chartSeries{Name: names[1], Values: make([]int, chartDays)}
		seen := false
		for _, c := range counts {
			if i, ok := dayIndex(first, c.Day); ok && c.Feature == f.ID {
				grants.Values[i] += c.Grants
				withdrawals.Values[i] += c.Withdrawals
				seen = true
			}
		}
		if !seen {
			continue
		}
		name := f.Name
		if l == en {
			name = f.NameEN
		}
		chart := daily("consent-"+string(f.ID), name+" — "+message("console.consents.chart", l), first, names, []chartSeries{grants, withdrawals})
		d.Features = append(d.Features, consentFeature{Name: name, consoleDailyData: chart})
	}
	s.render(w, r, nethttp.StatusOK, "console_consents", "console.consents", d)
}
