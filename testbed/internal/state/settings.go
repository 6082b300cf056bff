package state

import (
	"encoding/json"
	"errors"
	"os"
)

// Settings are chosen by the first `up` and kept while any cluster runs, so
// that a later `up` adds clusters in the same port range.
type Settings struct {
	BasePort int `json:"basePort"`
}

// ReadSettings returns the saved settings, or ok=false when there are none.
func ReadSettings(path string) (s Settings, ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, false, nil
	}
	if err != nil {
		return s, false, err
	}
	return s, true, json.Unmarshal(data, &s)
}

// WriteSettings saves the settings.
func WriteSettings(path string, s Settings) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
