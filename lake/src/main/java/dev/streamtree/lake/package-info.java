package dev.streamtree.lake;
