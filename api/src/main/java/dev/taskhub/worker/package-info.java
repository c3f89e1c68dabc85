/** The worker that runs orchestrators and activities, and the registry of them. Zone: user-facing API. */
package dev.taskhub.worker;
