package dev.streamtree.launcher;
