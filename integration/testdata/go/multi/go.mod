module example.com/multi

go 1.23

toolchain go1.23.4
