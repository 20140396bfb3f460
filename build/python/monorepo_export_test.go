package python

// LocalRequirement describes the local path of a requirements line, for
// tests: "<path>[ editable]", or "" when it names none.
func LocalRequirement(line string) string {
	rp, ok := localRequirement(line)
	if !ok {
		return ""
	}
	if rp.editable {
		return rp.target + " editable"
	}
	return rp.target
}

// Reasons is reasons, for tests.
func (k VenvKey) Reasons(old VenvKey) []string {
	return k.reasons(old)
}
