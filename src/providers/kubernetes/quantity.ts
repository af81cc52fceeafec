// The provider reads quantities with the project's one parser (src/util/quantity.ts).
export { cpuMillis, memoryBytes, parseQuantity } from '../../util/quantity.js';
