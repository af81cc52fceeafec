// The simulator reads quantities with the project's one parser.
export { formatMilli, isQuantity, parseQuantity, toMilli } from '../util/quantity.js';
