module git.onbuild.test/private/lib.git

go 1.24
