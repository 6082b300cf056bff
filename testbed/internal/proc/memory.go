package proc

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
)

// Memory is a process's resident memory in bytes. RSS counts shared pages
// (the testbed binary's code) in full for every process; PSS divides them
// among the processes sharing them, so summing PSS gives what the processes
// cost together.
type Memory struct {
	RSS uint64 `json:"rss"`
	PSS uint64 `json:"pss"`
}

// Add returns the sum of two measurements.
func (m Memory) Add(o Memory) Memory { return Memory{RSS: m.RSS + o.RSS, PSS: m.PSS + o.PSS} }

// MemoryOf reads /proc/<pid>/smaps_rollup; a gone process measures zero.
func MemoryOf(pid int) Memory {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return Memory{}
	}
	var m Memory
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := bytes.Fields(sc.Bytes())
		if len(fields) < 2 {
			continue
		}
		kb, err := strconv.ParseUint(string(fields[1]), 10, 64)
		if err != nil {
			continue
		}
		switch string(fields[0]) {
		case "Rss:":
			m.RSS = kb * 1024
		case "Pss:":
			m.PSS = kb * 1024
		}
	}
	return m
}
