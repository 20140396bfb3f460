package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// cachedLayer is one layer of a build cache volume: its layer tar, which
// the restorer extracts at the start of the next build.
type cachedLayer struct {
	sha  string
	size int64
}

// layerBytes is what one cache layer cost one build: the bytes restored
// before it, the bytes the exporter tarred to find whether it changed,
// and the bytes it wrote to the cache because it had.
type layerBytes struct {
	restored, tarred, written int64
}

// cacheLayers reads a cache volume's metadata and layer tars, through a
// throwaway container of the build image (the volume belongs to Docker).
func (b *bench) cacheLayers(volume string) (map[string]cachedLayer, error) {
	script := `cat /cache/committed/io.buildpacks.lifecycle.cache.metadata 2>/dev/null || echo '{}'
echo; cd /cache/committed 2>/dev/null && for f in *.tar; do [ -e "$f" ] && stat -c '%s %n' "$f"; done; true`
	out, err := exec.Command("docker", "run", "--rm", "--user", "root", "--network", "none",
		"-v", volume+":/cache:ro", "--entrypoint", "/bin/sh", b.stackImage("build"), "-c", script).Output()
	if err != nil {
		return nil, fmt.Errorf("reading cache volume %s: %w", volume, err)
	}
	metadata, sizes, _ := strings.Cut(string(out), "\n")
	var cache struct {
		Buildpacks []struct {
			Key    string `json:"key"`
			Layers map[string]struct {
				SHA   string `json:"sha"`
				Cache bool   `json:"cache"`
			} `json:"layers"`
		} `json:"buildpacks"`
	}
	if err := json.Unmarshal([]byte(metadata), &cache); err != nil {
		return nil, fmt.Errorf("cache metadata of %s: %w", volume, err)
	}
	tars := map[string]int64{}
	for _, line := range strings.Split(sizes, "\n") {
		if size, name, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			n, _ := strconv.ParseInt(size, 10, 64)
			tars[strings.TrimSuffix(name, ".tar")] = n
		}
	}
	layers := map[string]cachedLayer{}
	for _, buildpack := range cache.Buildpacks {
		for name, layer := range buildpack.Layers {
			if layer.Cache {
				layers[buildpack.Key+":"+name] = cachedLayer{sha: layer.SHA, size: tars[layer.SHA]}
			}
		}
	}
	return layers, nil
}

// layerUse compares the cache before and after a build: every layer in
// it before was restored, every one after was tarred by the exporter, and
// those the log says it added (not reused) were written.
func layerUse(before, after map[string]cachedLayer, out string) map[string]layerBytes {
	use := map[string]layerBytes{}
	for name, layer := range before {
		u := use[name]
		u.restored = layer.size
		use[name] = u
	}
	for name, layer := range after {
		u := use[name]
		u.tarred = layer.size
		if strings.Contains(out, "Adding cache layer '"+name+"'") && !strings.Contains(out, "Reusing cache layer '"+name+"'") {
			u.written = layer.size
		}
		use[name] = u
	}
	return use
}

// layerTable shows what each cache layer costs a build (medians, MB).
func layerTable(layers map[string][]map[string]layerBytes) string {
	var b strings.Builder
	b.WriteString("\npack builds, bytes per cache layer (median, MB). restored: extracted by the Restorer before the build; " +
		"tarred: read by the exporter's cache step to find whether the layer changed; written: copied into the cache because it had.\n\n")
	b.WriteString("| scenario | layer | restored | tarred | written |\n| --- | --- | --- | --- | --- |\n")
	scenarios := make([]string, 0, len(layers))
	for scenario := range layers {
		scenarios = append(scenarios, scenario)
	}
	sort.Strings(scenarios)
	for _, scenario := range scenarios {
		names := map[string]bool{}
		for _, run := range layers[scenario] {
			for name := range run {
				names[name] = true
			}
		}
		sorted := make([]string, 0, len(names))
		for name := range names {
			sorted = append(sorted, name)
		}
		sort.Strings(sorted)
		var total [3]int64
		for _, name := range sorted {
			var restored, tarred, written []int64
			for _, run := range layers[scenario] {
				restored = append(restored, run[name].restored)
				tarred = append(tarred, run[name].tarred)
				written = append(written, run[name].written)
			}
			row := [3]int64{medianBytes(restored), medianBytes(tarred), medianBytes(written)}
			for i := range total {
				total[i] += row[i]
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", scenario, name, mb(row[0]), mb(row[1]), mb(row[2]))
		}
		if len(sorted) > 1 {
			fmt.Fprintf(&b, "| %s | all | %s | %s | %s |\n", scenario, mb(total[0]), mb(total[1]), mb(total[2]))
		}
	}
	return b.String()
}

func medianBytes(samples []int64) int64 {
	sorted := append([]int64{}, samples...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return sorted[len(sorted)/2]
}

func mb(n int64) string { return fmt.Sprintf("%.1f", float64(n)/1e6) }
