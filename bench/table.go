package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// table collects samples per scenario and variant, in the order first seen.
type table struct {
	scenarios []string
	variants  []string
	times     map[string]map[string][]time.Duration
	sizes     map[string]map[string][]int64
	notes     []string
	ids       map[string]map[string]bool
	// values are measures other than build times and sizes (the serving
	// rows), each scenario with its own format.
	values  map[string]map[string][]float64
	formats map[string]string
	// diagnostics are measures of runs that are no variant (onbuild's
	// image with one worker), printed as notes, in the order first seen.
	diagnostics       map[string][]float64
	diagnosticFormats map[string]string
	diagnosticOrder   []string
}

func (t *table) init() {
	if t.times == nil {
		t.times = map[string]map[string][]time.Duration{}
		t.sizes = map[string]map[string][]int64{}
		t.ids = map[string]map[string]bool{}
		t.values = map[string]map[string][]float64{}
		t.formats = map[string]string{}
	}
}

func (t *table) see(scenario, variant string) {
	t.init()
	if !contains(t.scenarios, scenario) {
		t.scenarios = append(t.scenarios, scenario)
	}
	if !contains(t.variants, variant) {
		t.variants = append(t.variants, variant)
	}
	if t.times[scenario] == nil {
		t.times[scenario] = map[string][]time.Duration{}
		t.sizes[scenario] = map[string][]int64{}
		t.values[scenario] = map[string][]float64{}
	}
}

func (t *table) add(scenario, variant string, d time.Duration) {
	t.see(scenario, variant)
	t.times[scenario][variant] = append(t.times[scenario][variant], d)
}

func (t *table) addSize(scenario, variant string, bytes int64) {
	t.see(scenario, variant)
	t.sizes[scenario][variant] = append(t.sizes[scenario][variant], bytes)
}

// addValue records a measure printed with format ("%.0f", "%.1f ms").
func (t *table) addValue(scenario, variant string, value float64, format string) {
	t.see(scenario, variant)
	t.values[scenario][variant] = append(t.values[scenario][variant], value)
	t.formats[scenario] = format
}

func medianValue(samples []float64) float64 {
	sorted := append([]float64{}, samples...)
	sort.Float64s(sorted)
	return sorted[len(sorted)/2]
}

func (t *table) note(line string) {
	if !contains(t.notes, line) {
		t.notes = append(t.notes, line)
	}
}

// id records the image ID of a cold build of the same source, to report
// whether builds are reproducible.
func (t *table) id(app, id string) {
	t.init()
	if t.ids[app] == nil {
		t.ids[app] = map[string]bool{}
	}
	t.ids[app][id] = true
}

func (t *table) markdown(machine string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s.\n\n", machine)
	header := append([]string{"scenario"}, t.variants...)
	for _, other := range t.variants[1:] {
		header = append(header, "onbuild ÷ "+strings.Fields(other)[0])
	}
	floor := t.floor()
	if floor != "" {
		header = append(header, "onbuild − floor")
	}
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat(" --- |", len(header)))
	for _, scenario := range t.scenarios {
		row := []string{scenario}
		for _, variant := range t.variants {
			row = append(row, t.cell(scenario, variant))
		}
		for _, other := range t.variants[1:] {
			row = append(row, t.ratio(scenario, other))
		}
		if floor != "" {
			row = append(row, t.aboveFloor(scenario, floor))
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
	}
	b.WriteString("\n")
	for _, app := range sortedKeys(t.ids) {
		fmt.Fprintf(&b, "- %s, same source, cold onbuild builds from scratch: %d distinct image ID(s).\n", app, len(t.ids[app]))
	}
	for _, line := range t.notes {
		fmt.Fprintf(&b, "- %s\n", line)
	}
	return b.String()
}

func (t *table) cell(scenario, variant string) string {
	if samples := t.times[scenario][variant]; len(samples) > 0 {
		mid, low, high := median(samples)
		return fmt.Sprintf("%.1f s (%.1f–%.1f)", mid.Seconds(), low.Seconds(), high.Seconds())
	}
	if sizes := t.sizes[scenario][variant]; len(sizes) > 0 {
		sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
		return fmt.Sprintf("%.1f MB", float64(sizes[len(sizes)/2])/1e6)
	}
	if values := t.values[scenario][variant]; len(values) > 0 {
		format := t.formats[scenario]
		cell := fmt.Sprintf(format, medianValue(values))
		if len(values) > 1 {
			sorted := append([]float64{}, values...)
			sort.Float64s(sorted)
			number := strings.Fields(format)[0]
			cell += fmt.Sprintf(" ("+number+"–"+number+")", sorted[0], sorted[len(sorted)-1])
		}
		return cell
	}
	return "–"
}

// floor is the floor variant's name, empty when none ran.
func (t *table) floor() string {
	for _, variant := range t.variants {
		if strings.HasPrefix(variant, "floor") {
			return variant
		}
	}
	return ""
}

// aboveFloor is onbuild's median time less the floor's: what onbuild's
// buildpacks cost above what any buildpack costs on this lifecycle, to set
// beside a Dockerfile's whole time.
func (t *table) aboveFloor(scenario, floor string) string {
	ours, theirs := t.times[scenario][t.variants[0]], t.times[scenario][floor]
	if len(ours) == 0 || len(theirs) == 0 {
		return "–"
	}
	a, _, _ := median(ours)
	f, _, _ := median(theirs)
	return fmt.Sprintf("%.1f s", (a - f).Seconds())
}

func (t *table) ratio(scenario, other string) string {
	ours, theirs := t.times[scenario][t.variants[0]], t.times[scenario][other]
	if len(ours) > 0 && len(theirs) > 0 {
		a, _, _ := median(ours)
		b, _, _ := median(theirs)
		return fmt.Sprintf("%.2f×", a.Seconds()/b.Seconds())
	}
	oursSize, theirsSize := t.sizes[scenario][t.variants[0]], t.sizes[scenario][other]
	if len(oursSize) > 0 && len(theirsSize) > 0 {
		return fmt.Sprintf("%.2f×", float64(oursSize[0])/float64(theirsSize[0]))
	}
	oursValues, theirsValues := t.values[scenario][t.variants[0]], t.values[scenario][other]
	if len(oursValues) > 0 && len(theirsValues) > 0 {
		return fmt.Sprintf("%.2f×", medianValue(oursValues)/medianValue(theirsValues))
	}
	return "–"
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
