# IPython startup file used only by the test suite (conftest points IPYTHONDIR here).
# It makes every notebook kernel that the tests start refuse network connections to
# anything but this machine, so that a lesson that reaches out to the internet fails.
import socket as _socket

_real_connect = _socket.socket.connect


def _guarded_connect(self, address, *args, **kwargs):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host in ("localhost", "::1", "") or host.startswith("127.") or host.startswith("/")):
        return _real_connect(self, address, *args, **kwargs)
    if self.family == getattr(_socket, "AF_UNIX", None):
        return _real_connect(self, address, *args, **kwargs)
    raise OSError(f"fepteach test guard: lessons must run offline, but a connection to {address!r} was attempted")


_socket.socket.connect = _guarded_connect
del _socket
