package layer

import "github.com/BurntSushi/toml"

// DecodeMetadata reads a previous build's layer metadata (the generic map
// libcnb restores) into key, the typed struct its buildpack wrote, so the
// build can say field by field why the layer is not reused.
func DecodeMetadata(previous map[string]interface{}, key interface{}) error {
	raw, err := toml.Marshal(previous)
	if err != nil {
		return err
	}
	_, err = toml.Decode(string(raw), key)
	return err
}
