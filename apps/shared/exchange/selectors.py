from .peers import default_central as peer_central

__all__ = ["peer_central"]
