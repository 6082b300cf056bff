package cli

import (
	"flag"
	"io"
)

// parse parses flags that may come before, between or after positional
// arguments ("slow testbed-2 --latency 2s"), which package flag alone does not
// allow. It returns the positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard) // errors are reported once, with the usage, by Run
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%v", err)
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
