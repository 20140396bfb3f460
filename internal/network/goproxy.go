package network

import "strings"

// FirstProxy returns the first GOPROXY entry that is a proxy (not direct
// or off), where modules such as Go toolchains and the Python builds are
// downloaded from, or "".
func FirstProxy(goproxy string) string {
	for _, entry := range strings.FieldsFunc(goproxy, func(r rune) bool { return r == ',' || r == '|' }) {
		entry = strings.TrimSpace(entry)
		if entry != "" && entry != "direct" && entry != "off" {
			return entry
		}
	}
	return ""
}
