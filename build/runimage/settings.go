package runimage

// TinySetting names the run image for Go apps' static binaries: no shell,
// no libc. The builder sets it to its own tiny run image; it is declared in
// buildpacks/run-image/extension.toml.
const TinySetting = "BP_RUN_IMAGE_TINY"
