module go-cache-setup/shim

go 1.24
