package dev.streamtree.retrain;
