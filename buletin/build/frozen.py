"""Imported last by the forkserver, after the libraries it preloads: moves every object made so far out of the
garbage collector's reach, so that a collection in a worker does not touch (and so copy) the pages it shares
with the server. Importing it anywhere else only makes those objects permanent, which they are anyway."""
import gc

gc.collect()
gc.freeze()
