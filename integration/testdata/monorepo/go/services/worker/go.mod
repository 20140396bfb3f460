module example.com/worker

go 1.23

require example.com/version v0.0.0

replace example.com/version => ../../libs/version
