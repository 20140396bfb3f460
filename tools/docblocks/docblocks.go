// Package docblocks reads the shell blocks of onbuild's user docs
// (README.md, docs/*.md) with the doc-test marker each must carry, so the
// integration suite's Docs spec runs the commands users type exactly as
// written, and says of every other block why it is not run.
package docblocks

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Marker starts the HTML comment on the line before a shell block's fence:
//
//	<!-- doc-test: run app=samples/go setup=ca probe=myapp -->
//	<!-- doc-test: not run, needs a registry: the Publish spec runs it -->
const Marker = "<!-- doc-test: "

// Setups are the preparations a run block may ask for in its app folder,
// for what the docs tell users to bring themselves.
var Setups = map[string]string{
	"ca":        "./ca: this machine's CA bundle as a ca-certificates binding",
	"my-ca.pem": "./my-ca.pem: a test CA's certificate",
}

// Block is one shell block of a doc.
type Block struct {
	// File is the doc's path in the repository, Line the fence's line.
	File string
	Line int
	// Script is the block's text, run as written.
	Script string
	// Run says the Docs spec runs the block; Reason says why it does not.
	Run    bool
	Reason string
	// App is the repository folder the block runs in (a copy of it: the
	// docs' commands build "the app in the current folder").
	App string
	// Setup names entries of Setups made in the app folder first.
	Setup []string
	// Probe is the image the block builds, which the spec runs and asks
	// for / over HTTP.
	Probe string
}

// Name is where the block is, for test names and messages.
func (b Block) Name() string { return fmt.Sprintf("%s:%d", b.File, b.Line) }

// Docs are the user docs whose shell blocks carry markers.
func Docs(root string) ([]string, error) {
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	sort.Strings(docs)
	files := []string{"README.md"}
	for _, doc := range docs {
		rel, err := filepath.Rel(root, doc)
		if err != nil {
			return nil, err
		}
		files = append(files, rel)
	}
	return files, nil
}

// Read returns the shell blocks of every doc, in order. A shell block
// without a marker, or with a malformed one, is an error naming its line.
func Read(root string) ([]Block, error) {
	files, err := Docs(root)
	if err != nil {
		return nil, err
	}
	var blocks []Block
	for _, file := range files {
		found, err := readFile(root, file)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, found...)
	}
	return blocks, nil
}

// shellFence reports whether line opens a block of shell commands.
func shellFence(line string) bool {
	for _, lang := range []string{"sh", "bash", "shell", "console"} {
		if strings.TrimSpace(line) == "```"+lang {
			return true
		}
	}
	return false
}

func readFile(root, file string) ([]Block, error) {
	f, err := os.Open(filepath.Join(root, file))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		blocks   []Block
		previous string
		current  *Block
		lines    []string
		n        int
	)
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		n++
		line := scanner.Text()
		switch {
		case current != nil && strings.TrimSpace(line) == "```":
			current.Script = strings.Join(lines, "\n") + "\n"
			blocks = append(blocks, *current)
			current, lines = nil, nil
		case current != nil:
			lines = append(lines, line)
		case shellFence(line):
			block, err := parseMarker(previous)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", file, n, err)
			}
			block.File, block.Line = file, n
			current = &block
		}
		previous = line
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	if current != nil {
		return nil, fmt.Errorf("%s:%d: the shell block is never closed", file, current.Line)
	}
	return blocks, nil
}

// parseMarker reads the marker line before a fence.
func parseMarker(line string) (Block, error) {
	line = strings.TrimSpace(line)
	body, ok := strings.CutPrefix(line, Marker)
	if !ok || !strings.HasSuffix(body, "-->") {
		return Block{}, fmt.Errorf("a shell block without a doc-test marker on the line before it: add %q or %q", Marker+"run app=FOLDER -->", Marker+"not run, WHY -->")
	}
	body = strings.TrimSpace(strings.TrimSuffix(body, "-->"))
	if reason, ok := strings.CutPrefix(body, "not run, "); ok && strings.TrimSpace(reason) != "" {
		return Block{Reason: strings.TrimSpace(reason)}, nil
	}
	fields := strings.Fields(body)
	if len(fields) == 0 || fields[0] != "run" {
		return Block{}, fmt.Errorf("doc-test marker %q: it says either \"run ...\" or \"not run, WHY\"", line)
	}
	block := Block{Run: true}
	for _, field := range fields[1:] {
		key, value, _ := strings.Cut(field, "=")
		switch {
		case value == "":
			return Block{}, fmt.Errorf("doc-test marker %q: %q has no value", line, field)
		case key == "app":
			block.App = value
		case key == "probe":
			block.Probe = value
		case key == "setup":
			for _, name := range strings.Split(value, ",") {
				if _, known := Setups[name]; !known {
					return Block{}, fmt.Errorf("doc-test marker %q: unknown setup %q", line, name)
				}
				block.Setup = append(block.Setup, name)
			}
		default:
			return Block{}, fmt.Errorf("doc-test marker %q: unknown key %q (app, setup, probe)", line, key)
		}
	}
	if block.App == "" {
		return Block{}, fmt.Errorf("doc-test marker %q: a run block names the app folder it runs in (app=...)", line)
	}
	return block, nil
}
