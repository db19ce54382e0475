"""A Django app of the peer benchmark's models (installed only by benchmarks.peers.django_peers)."""
