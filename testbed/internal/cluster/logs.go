package cluster

import (
	"bytes"
	"os"
	"strings"

	"archipelago.dev/testbed/internal/layout"
)

// tailBytes is how much of a component log an error message quotes.
const tailBytes = 2000

// logTail returns the end of a component's log, formatted to follow an error
// message, or "" when there is no such log.
func logTail(c layout.ClusterDir, component string) string {
	// "kube-controller-manager and kwok" names two; quote the first.
	name, _, _ := strings.Cut(component, " ")
	return logTailOf(c.Log(name))
}

// logTailOf is logTail for any log file.
func logTailOf(path string) string {
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		return ""
	}
	if len(data) > tailBytes {
		data = data[len(data)-tailBytes:]
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	return "\n--- last lines of " + path + " ---\n" + string(bytes.TrimRight(data, "\n"))
}
