/**
 * The EMR deployer behind the launcher's {@code deploy emr}: {@code emr} builds and sends the cluster and step
 * requests from a deploy config, {@code deploy} is the command line. Nothing here runs inside the jobs; the Glue
 * catalog the jobs use is in the lake module.
 */
package dev.streamtree.aws;
