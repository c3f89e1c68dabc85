/** Sample orchestrations, the ones the Durable Functions documentation walks through. Zone: samples. */
package dev.taskhub.samples;
