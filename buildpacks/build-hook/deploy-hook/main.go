// Command deploy-hook is onbuild/build-hook's exec.d program: the launcher
// runs it before the app process, and it runs the app's deploy hook.
package main

import "github.com/onbuild-buildpacks/onbuild/hooks/deploy"

func main() {
	deploy.Main()
}
