# IPython startup file used only by the test suite (conftest points IPYTHONDIR here).
# It makes every notebook kernel that the tests start refuse network connections to
# anything but this machine, so that a lesson that reaches out to the internet fails.


def _fepteach_install_network_guard():
    import socket

    real_connect = socket.socket.connect
    local_prefixes = ("127.", "localhost", "::1")

    def guarded_connect(self, address, *args, **kwargs):
        if self.family == getattr(socket, "AF_UNIX", None):
            return real_connect(self, address, *args, **kwargs)
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(host, str) and (host == "" or host.startswith(local_prefixes)):
            return real_connect(self, address, *args, **kwargs)
        raise OSError(f"fepteach test guard: lessons must run offline, but a connection to {address!r} was attempted")

    socket.socket.connect = guarded_connect


_fepteach_install_network_guard()
del _fepteach_install_network_guard
